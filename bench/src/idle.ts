/**
 * The idle phase: both servers with no listener, and the framework overhead, which is Flowcast's
 * process against plain gst-launch-1.0 running the same encode into fakesink.
 *
 * The processes compared are pinned to one CPU, and everything else to the others. On this VM the
 * same encode runs at a speed that drifts by ±10 % from one 5 s window to the next, and differently
 * on each CPU: two identical gst-launch-1.0 on different CPUs differ by up to ±9 % per window, while
 * on one CPU their ratio stays within ±0.5 % for a whole round. Sharing a CPU has its own bias: which
 * of them runs just after the other (the phase of their 100 ms wake-ups, fixed for as long as both
 * run) moves a ratio by a few per cent. So the references are started afresh for each of several
 * rounds, each at a new phase drawn at random, and the overhead is the median of the rounds'
 * ratios. CPU here is schedstat run time (ns), not 10 ms ticks.
 */
import path from 'node:path';
import { cpuListOf, expandCpuList, onCpus, pin } from './affinity';
import { config } from './config';
import { FAKESINK, gstLaunchArgs } from './encode';
import { runNodeFlags } from './flowcast';
import { ProcWindow, type CpuSample } from './proc';
import { log, sleep, spawnTracked, stopChild, tail } from './util';

export interface OverheadRound {
  flowcast: CpuSample;
  gst: CpuSample;
  /** The same description in a bare Node process through gstreamer-superficial (node-host.ts). */
  nodeHost: CpuSample;
  /**
   * A second gst-launch-1.0 running the same description: gst-launch-1.0 against itself is the
   * measurement's own spread, in the same round.
   */
  gstControl: CpuSample;
}

export interface IdleResults {
  /** Over the whole idle phase, in utime+stime like the holds (the marginal rows subtract it). */
  flowcast: CpuSample;
  icecast: CpuSample;
  icecastSource: CpuSample;
  rounds: OverheadRound[];
  /** The CPU the rounds' processes were pinned to. */
  measuredCpu: number;
}

const GST_WARM_UP_MS = 2000;
/** The test source's buffer duration (producer-test: a tenth of a second): the period of an encode's wake-ups. */
const BUFFER_MS = 100;
const NODE_HOST = path.join(__dirname, 'node-host.js');

export async function idlePhase(pids: { flowcast: number; icecast: number; icecastSource: number }, flowcastStartedAt: number, tmp: string): Promise<IdleResults> {
  // Steady state is what a server lives in: V8 collects start-up's garbage in its first 15 s or so.
  await sleep(Math.max(0, config.idleAfterStartS * 1000 - GST_WARM_UP_MS - (performance.now() - flowcastStartedAt)));
  const whole = { flowcast: new ProcWindow(pids.flowcast), icecast: new ProcWindow(pids.icecast), icecastSource: new ProcWindow(pids.icecastSource) };
  const placement = placeForOverhead(pids);
  try {
    const rounds = await overheadRounds(pids.flowcast, placement.measuredCpu, tmp);
    return { flowcast: whole.flowcast.stop(), icecast: whole.icecast.stop(), icecastSource: whole.icecastSource.stop(), rounds, measuredCpu: placement.measuredCpu };
  } finally {
    placement.restore();
  }
}

/**
 * Pin Flowcast to one CPU, where the references will run, and Icecast and its source to the others
 * (to the same one on a one-CPU machine); `restore` gives each process its CPUs back.
 */
function placeForOverhead(pids: { flowcast: number; icecast: number; icecastSource: number }): { measuredCpu: number; restore: () => void } {
  const cpus = expandCpuList(cpuListOf(process.pid));
  const measuredCpu = cpus[0] ?? 0;
  const others = cpus.length > 1 ? cpus.slice(1).join(',') : String(measuredCpu);
  const before = Object.values(pids).map((pid) => ({ pid, cpus: cpuListOf(pid) }));
  pin(pids.flowcast, String(measuredCpu));
  pin(pids.icecast, others);
  pin(pids.icecastSource, others);
  return { measuredCpu, restore: () => before.forEach(({ pid, cpus: list }) => pin(pid, list)) };
}

async function overheadRounds(flowcastPid: number, cpu: number, tmp: string): Promise<OverheadRound[]> {
  const onMeasuredCpu = (argv: string[]): string[] => onCpus(String(cpu), argv);
  const rounds: OverheadRound[] = [];
  for (let round = 1; round <= config.idleRounds; round++) {
    const gstLog = path.join(tmp, `gst-fakesink-${round}.log`);
    const hostLog = path.join(tmp, `node-host-${round}.log`);
    const controlLog = path.join(tmp, `gst-fakesink-control-${round}.log`);
    // Each reference at its own random phase, so that no two encodes meet the same way every round.
    await sleep(Math.random() * BUFFER_MS);
    const gst = spawnTracked(`gst-launch-1.0 → fakesink (round ${round})`, onMeasuredCpu(['gst-launch-1.0', ...gstLaunchArgs(FAKESINK)]), { logFile: gstLog });
    await sleep(Math.random() * BUFFER_MS);
    const control = spawnTracked(`second gst-launch-1.0 → fakesink (round ${round})`, onMeasuredCpu(['gst-launch-1.0', ...gstLaunchArgs(FAKESINK)]), { logFile: controlLog });
    await sleep(Math.random() * BUFFER_MS);
    const host = spawnTracked(`node + gstreamer-superficial → fakesink (round ${round})`, onMeasuredCpu([process.execPath, ...runNodeFlags(), NODE_HOST]), { logFile: hostLog });
    await sleep(GST_WARM_UP_MS);
    if (gst.child.exitCode !== null) throw new Error(`gst-launch-1.0 (fakesink) failed:\n${tail(gstLog)}`);
    if (host.child.exitCode !== null) throw new Error(`node-host.js failed:\n${tail(hostLog)}`);
    if (control.child.exitCode !== null) throw new Error(`the second gst-launch-1.0 (fakesink) failed:\n${tail(controlLog)}`);
    const windows = {
      flowcast: new ProcWindow(flowcastPid, true),
      gst: new ProcWindow(gst.pid, true),
      nodeHost: new ProcWindow(host.pid, true),
      gstControl: new ProcWindow(control.pid, true),
    };
    await sleep(config.idleS * 1000);
    const result = { flowcast: windows.flowcast.stop(), gst: windows.gst.stop(), nodeHost: windows.nodeHost.stop(), gstControl: windows.gstControl.stop() };
    await Promise.all([stopChild(gst), stopChild(host), stopChild(control)]);
    rounds.push(result);
    const t = result.flowcast.threads;
    log(
      `idle round ${round}/${config.idleRounds} (${config.idleS} s): flowcast ${result.flowcast.cpuPercent.toFixed(3)} % (node main ${t.main.toFixed(3)}, other node threads ${t.sameName.toFixed(3)}, GStreamer ${t.other.toFixed(3)}), node host ${result.nodeHost.cpuPercent.toFixed(3)} %, gst-launch ${result.gst.cpuPercent.toFixed(3)} % (second: ${result.gstControl.cpuPercent.toFixed(3)} %): ${(result.flowcast.cpuPercent / result.gst.cpuPercent).toFixed(3)}`,
    );
  }
  return rounds;
}

/** The median over the rounds of `ratio(round)` (the mean of the middle two for an even count). */
export function medianRatio(rounds: readonly OverheadRound[], ratio: (round: OverheadRound) => number): number {
  const sorted = rounds.map(ratio).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
