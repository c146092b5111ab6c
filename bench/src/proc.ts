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

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

export function threadCount(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

/** A CPU window over one process: start it, later `stop()` gives % of one core and peak RSS. */
export class ProcWindow {
  private readonly cpu0: number;
  private readonly t0 = performance.now();
  private peakRss: number;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly pid: number) {
    this.cpu0 = cpuSeconds(pid);
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
    const cpu = cpuSeconds(this.pid) - this.cpu0;
    const rss = rssBytes(this.pid);
    this.peakRss = Math.max(this.peakRss, rss);
    return { cpuPercent: (100 * cpu) / seconds, cpuSeconds: cpu, windowSeconds: seconds, rssBytes: rss, peakRssBytes: this.peakRss };
  }
}

export interface CpuSample {
  /** utime+stime over the window, as % of one core. */
  cpuPercent: number;
  cpuSeconds: number;
  windowSeconds: number;
  /** VmRSS at the end of the window. */
  rssBytes: number;
  /** Highest VmRSS seen (sampled every second) during the window. */
  peakRssBytes: number;
}
