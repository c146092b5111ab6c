/**
 * Shared helpers for the benchmark: child processes that are always cleaned up, free ports,
 * bounded waits, a minimal HTTP probe, percentiles.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The repository root (bench/dist/src/util.js → three levels up). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const BENCH_DIR = path.join(REPO_ROOT, 'bench');

/**
 * Raise the open-file limit as far as allowed, then exec the command. A process can raise its
 * soft limit up to the hard limit; without CAP_SYS_RESOURCE it cannot go beyond.
 */
const ULIMIT_PREFIX = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';

const children = new Set<ChildProcess>();

export interface Spawned {
  child: ChildProcess;
  pid: number;
  name: string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<string>;
}

/**
 * Spawn `argv` through bash so the open-file limit is raised first; `exec` keeps the same PID, so
 * the PID is the program's own (what /proc is read for). Each child leads its own process group,
 * so Ctrl-C on the terminal reaches only the orchestrator, which then stops the children itself.
 */
export function spawnTracked(name: string, argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; pipeStdout?: boolean }): Spawned {
  const fd = fs.openSync(options.logFile, 'a');
  const child = spawn('bash', ['-c', ULIMIT_PREFIX, 'bash', ...argv], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.pipeStdout ? 'pipe' : fd, fd],
    detached: true,
  });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${argv[0]})`);
  children.add(child);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ? `signal ${signal}` : `exit ${code}`);
    });
    child.once('error', (error) => {
      children.delete(child);
      resolve(`error ${error.message}`);
    });
  });
  return { child, pid: child.pid, name, exited };
}

/** Why a child is no longer running, or undefined while it runs. */
export function deadReason(spawned: Spawned, logFile?: string): string | undefined {
  const { exitCode, signalCode } = spawned.child;
  if (exitCode === null && signalCode === null) return undefined;
  return `${spawned.name} exited (${signalCode ?? `code ${exitCode}`})${logFile ? `; last log lines:\n${tail(logFile)}` : ''}`;
}

/** SIGTERM one child's process group, then SIGKILL it if it is still there after `graceMs`. */
export async function stopChild(spawned: Spawned | undefined, graceMs = 3000): Promise<void> {
  if (!spawned || spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
  signalGroup(spawned.pid, 'SIGTERM');
  const done = await Promise.race([spawned.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    signalGroup(spawned.pid, 'SIGKILL');
    await Promise.race([spawned.exited, sleep(1000)]);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Synchronous last resort (process 'exit' handler): SIGKILL every child still running. */
export function killAllChildrenSync(): void {
  for (const child of children) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  children.clear();
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild({ child, pid: child.pid as number, name: '', exited: new Promise((r) => child.once('exit', () => r(''))) })));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reject with a clear message if `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ProbeResult {
  status: number;
  /** ms from connect() to the first body byte. */
  firstByteMs: number;
}

/**
 * One GET over a plain socket: resolves at the first body byte (then closes), rejects on error,
 * non-200, or after `timeoutMs`.
 */
export function probeFirstByte(url: string, timeoutMs: number): Promise<ProbeResult> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const socket = net.connect({ host: hostname, port: Number(port) });
    let head = '';
    let done = false;
    const finish = (error?: Error, result?: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(result as ProbeResult);
    };
    const timer = setTimeout(() => finish(new Error(`no data from ${url} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(`GET ${pathname} HTTP/1.0\r\nHost: ${hostname}:${port}\r\nUser-Agent: flowcast-bench\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1] ?? 0);
      if (status !== 200) return finish(new Error(`${url} answered ${head.split('\r\n')[0]}`));
      if (head.length > end + 4) finish(undefined, { status, firstByteMs: performance.now() - start });
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`${url} closed the connection before any data`)));
  });
}

/** Poll `probe` until it succeeds or `timeoutMs` passes; the last error explains the failure. */
export async function pollUntil<T>(what: string, timeoutMs: number, intervalMs: number, probe: () => Promise<T>, alive?: () => string | undefined): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const dead = alive?.();
    if (dead) throw new Error(`${what}: ${dead}`);
    try {
      return await probe();
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline) throw new Error(`${what}: not ready after ${(timeoutMs / 1000).toFixed(0)} s (last error: ${(last as Error)?.message ?? last})`);
    await sleep(intervalMs);
  }
}

/** Nearest-rank percentile of an array of numbers (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Run a command, return its trimmed stdout ('' on failure). */
export function capture(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 15000 });
  return result.status === 0 ? result.stdout.trim() : '';
}

export function commandExists(command: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${t}] ${message}\n`);
}
