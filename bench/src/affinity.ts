/**
 * Which CPUs a process (every one of its threads) may run on, through util-linux's taskset. The
 * overhead rounds pin the processes they compare to one CPU, so that they run under the same
 * conditions (idle.ts says why), and give the rest of the machine to everything else.
 */
import { execFileSync } from 'node:child_process';
import { capture } from './util';

/** The CPUs a process may run on, as taskset lists them ("0,1" or "0-3"). */
export function cpuListOf(pid: number): string {
  // "pid 123's current affinity list: 0,1"
  const list = /:\s*([\d,-]+)\s*$/.exec(capture('taskset', ['-c', '-p', String(pid)]))?.[1];
  if (!list) throw new Error(`taskset could not read the CPU affinity of process ${pid}`);
  return list;
}

/** The CPU numbers in a taskset list, in order. */
export function expandCpuList(list: string): number[] {
  return list.split(',').flatMap((range) => {
    const [first = 0, last = first] = range.split('-').map(Number);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/** Restrict every thread of `pid` to `cpus` (threads it starts later inherit it). */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
}

/** argv that runs `argv` on `cpus` only (taskset execs the command: the pid stays the same). */
export function onCpus(cpus: string, argv: string[]): string[] {
  return ['taskset', '-c', cpus, ...argv];
}
