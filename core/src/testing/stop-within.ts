import type { ChildProcess } from 'node:child_process';

/** How long `flowcast run` or `flowcast serve` may take to exit once asked to stop. */
const STOP_LIMIT_MS = 30_000;

/**
 * Signal a child and wait for it to exit. One that has not exited within the limit is killed and
 * the wait fails, naming it with the end of its stderr: a process that cannot exit fails its test
 * in half a minute instead of holding the whole test run until CI's own limit.
 */
export function stopWithin<T>(child: ChildProcess, signal: NodeJS.Signals, exited: Promise<T>, describe: { what: string; stderr: () => string; limitMs?: number }): Promise<T> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const limitMs = describe.limitMs ?? STOP_LIMIT_MS;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${describe.what} did not exit within ${limitMs / 1000} s of ${signal}, and was killed. The end of its stderr:\n${describe.stderr().slice(-4000)}`));
    }, limitMs);
  });
  return Promise.race([exited, limit]).finally(() => clearTimeout(timer));
}
