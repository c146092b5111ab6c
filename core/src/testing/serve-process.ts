import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { RUN_NODE_FLAGS } from '../runtime/node-flags';
import { stopWithin } from './stop-within';
import { CORE_DIRECTORY } from '../version';

const CLI = path.join(CORE_DIRECTORY, 'bin', 'flowcast.js');

/** A running `flowcast serve`, its output so far, and ways to wait for what it says. */
export interface ServeProcess {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The JSON log records written so far. */
  logs(): Record<string, unknown>[];
  /** Wait until stdout+stderr match `pattern` (from `from` characters on), or fail after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Wait for a JSON log record for which `match` is true. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The pid of the current worker of `flow` (from its "worker started" log line). */
  workerPid(flow: string): number | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Send SIGTERM (or `signal`) and wait for the exit; fails, killing it, if it has not exited within 30 s. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `flowcast serve ARGS…` with JSON logs. */
export function startServe(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServeProcess {
  const child = spawn(process.execPath, [...RUN_NODE_FLAGS, CLI, 'serve', ...args], {
    cwd: options.cwd,
    env: { ...process.env, FLOWCAST_LOG: 'json', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    changed();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    changed();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const logs = (): Record<string, unknown>[] =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  const until = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`flowcast serve: ${what} did not come within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr.slice(-6000)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    logs,
    waitFor: (pattern, timeoutMs = 20_000, from = 0) => until(() => (stdout + '\n' + stderr).slice(from).match(pattern) ?? undefined, timeoutMs, String(pattern)),
    waitForLog: (match, timeoutMs = 20_000) => until(() => logs().find(match), timeoutMs, 'a log record'),
    workerPid: (flow) => {
      const started = logs().filter((r) => r.msg === 'worker started' && r.flow === flow);
      return started.length > 0 ? Number(started[started.length - 1]!.pid) : undefined;
    },
    exited,
    stop: (signal = 'SIGTERM') => stopWithin(child, signal, exited, { what: 'flowcast serve', stderr: () => stderr }),
  };
}
