import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_NODE_FLAGS } from '../runtime/node-flags';
import { stopWithin } from './stop-within';
import { CORE_DIRECTORY } from '../version';

const CLI = path.join(CORE_DIRECTORY, 'bin', 'flowcast.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Run `flowcast ARGS…` to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...RUN_NODE_FLAGS, CLI, ...args], { cwd: options.cwd, env: { ...process.env, FLOWCAST_LOG: 'json', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Write a flow file (YAML text) into a new temporary directory and return its path. The
 * directories live in one directory per test process, removed when the process exits.
 */
export function writeFlow(yaml: string, name = 'flow.yaml'): string {
  const directory = fs.mkdtempSync(path.join(testProcessDirectory(), 'flow-'));
  const file = path.join(directory, name);
  fs.writeFileSync(file, yaml);
  return file;
}

/** This process's scratch directory, created (with its removal at exit) on first use. */
function testProcessDirectory(): string {
  const directory = path.join(os.tmpdir(), `flowcast-test-${process.pid}`);
  if (!fs.existsSync(directory)) {
    fs.mkdirSync(directory, { recursive: true });
    process.once('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
  }
  return directory;
}

export interface RunningFlow {
  process: ChildProcess;
  /** The URLs `flowcast run` printed. */
  urls: string[];
  stdout(): string;
  stderr(): string;
  /** Send SIGINT (or `signal`) and wait for the exit code; fails, killing it, if it has not exited within 30 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Start `flowcast run FILE` and resolve once it prints that the flow is running; reject with its
 * output if it exits first.
 */
export function startFlow(file: string | undefined, options: CliOptions = {}): Promise<RunningFlow> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...RUN_NODE_FLAGS, CLI, 'run', ...(file ? [file] : [])], {
      cwd: options.cwd,
      env: { ...process.env, FLOWCAST_LOG: 'json', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let started = false;
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flow did not start within ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!started && /is running\n/.test(stdout)) {
        started = true;
        clearTimeout(timer);
        const urls = [...stdout.matchAll(/(https?:\/\/\S+)/g)].map((m) => m[1]!);
        resolve({
          process: child,
          urls,
          stdout: () => stdout,
          stderr: () => stderr,
          exited,
          stop: (signal = 'SIGINT') => stopWithin(child, signal, exited, { what: 'flowcast run', stderr: () => stderr }),
        });
      }
    });
    void exited.then((code) => {
      if (started) return;
      clearTimeout(timer);
      reject(Object.assign(new Error(`flowcast run exited with ${code} before the flow was running\n${stdout}\n${stderr}`), { code, stdout, stderr }));
    });
  });
}
