/**
 * CPU and memory of a process from /proc. /proc/PID/stat's utime and stime cover every thread of
 * the process (including threads that have already exited), so one read per process is the sum
 * over its threads.
 */
import fs from 'node:fs';
import { capture } from './util';

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, almost always 100). */
export function clkTck(): number {
  clockTicks ??= Number(capture('getconf', ['CLK_TCK'])) || 100;
  return clockTicks;
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields are counted after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clkTck();
}

/** Private (anonymous) resident memory in bytes (RssAnon): RSS less file-backed pages (code, shared with other processes) and shared memory. */
export function rssAnonBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^RssAnon:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Each thread's utime + stime in seconds and its name, by thread id (threads that exit are dropped). */
export function threadCpuSeconds(pid: number): Map<number, { name: string; seconds: number }> {
  const threads = new Map<number, { name: string; seconds: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, { name, seconds: (Number(fields[11]) + Number(fields[12])) / clkTck() });
    } catch {
      /* the thread ended between readdir and read */
    }
  }
  return threads;
}

/**
 * Where a process's CPU went, as % of one core: its main thread, its other threads named like the
 * process (for node: V8's and libuv's own threads), and the rest (for Flowcast and gst-launch:
 * GStreamer's streaming threads, which are named after their element or pad).
 */
export interface ThreadSplit {
  main: number;
  sameName: number;
  other: number;
}

function splitThreads(pid: number, before: Map<number, { name: string; seconds: number }>, after: Map<number, { name: string; seconds: number }>, seconds: number): ThreadSplit {
  const mainName = after.get(pid)?.name ?? '';
  const split: ThreadSplit = { main: 0, sameName: 0, other: 0 };
  for (const [tid, thread] of after) {
    const percent = (100 * (thread.seconds - (before.get(tid)?.seconds ?? 0))) / seconds;
    if (tid === pid) split.main += percent;
    else if (thread.name === mainName) split.sameName += percent;
    else split.other += percent;
  }
  return split;
}

export function threadCount(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

/**
 * Each thread's time on a CPU in seconds, from /proc/PID/task/TID/schedstat (nanoseconds), by
 * thread id. utime+stime come in 10 ms ticks: over a 20 s window at 1.6 % of a core that is ±3 %,
 * too coarse to compare two encodes within 5 %. Threads that exited are not counted.
 */
export function threadRunSeconds(pid: number): Map<number, { name: string; seconds: number }> {
  const threads = new Map<number, { name: string; seconds: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const nanoseconds = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      threads.set(tid, { name, seconds: nanoseconds / 1e9 });
    } catch {
      /* the thread ended between readdir and read */
    }
  }
  return threads;
}

function sumSeconds(threads: Map<number, { seconds: number }>): number {
  let total = 0;
  for (const thread of threads.values()) total += thread.seconds;
  return total;
}

/**
 * A CPU window over one process: start it, later `stop()` gives % of one core and peak RSS. By
 * default CPU is utime+stime (all threads, even those that exited); `precise` uses the threads'
 * schedstat run time in nanoseconds instead, for long-lived threads such as an idle pipeline's.
 */
export class ProcWindow {
  private readonly cpu0: number;
  private readonly threads0: Map<number, { name: string; seconds: number }>;
  private readonly t0 = performance.now();
  private peakRss: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    private readonly precise = false,
  ) {
    this.threads0 = precise ? threadRunSeconds(pid) : threadCpuSeconds(pid);
    this.cpu0 = precise ? sumSeconds(this.threads0) : cpuSeconds(pid);
    this.peakRss = rssBytes(pid);
    this.timer = setInterval(() => this.sampleRss(), 1000);
  }

  private sampleRss(): void {
    try {
      this.peakRss = Math.max(this.peakRss, rssBytes(this.pid));
    } catch {
      /* the process ended; stop() reports it */
    }
  }

  stop(): CpuSample {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.t0) / 1000;
    const threadsNow = this.precise ? threadRunSeconds(this.pid) : threadCpuSeconds(this.pid);
    const cpu = (this.precise ? sumSeconds(threadsNow) : cpuSeconds(this.pid)) - this.cpu0;
    const threads = splitThreads(this.pid, this.threads0, threadsNow, seconds);
    const rss = rssBytes(this.pid);
    this.peakRss = Math.max(this.peakRss, rss);
    return { cpuPercent: (100 * cpu) / seconds, cpuSeconds: cpu, windowSeconds: seconds, rssBytes: rss, rssAnonBytes: rssAnonBytes(this.pid), peakRssBytes: this.peakRss, threads };
  }
}

export interface CpuSample {
  /** utime+stime (or, precise, schedstat run time) over the window, as % of one core. */
  cpuPercent: number;
  cpuSeconds: number;
  windowSeconds: number;
  /** VmRSS at the end of the window. */
  rssBytes: number;
  /** RssAnon at the end of the window: the process's private memory, without code pages shared with other processes. */
  rssAnonBytes?: number;
  /** Highest VmRSS seen (sampled every second) during the window. */
  peakRssBytes: number;
  /** The same CPU by thread group (threads that exited during the window are not in it). */
  threads: ThreadSplit;
}
