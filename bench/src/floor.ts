/**
 * The floor (bench/floor/floor.c): the smallest fan-out server in C, fed the same encode, so the
 * table shows how far Flowcast is from what serving listeners costs at the least on this machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gstLaunchArgs, MOUNT } from './encode';
import { BENCH_DIR, deadReason, freePort, log, pollUntil, probeFirstByte, sleep, spawnTracked, stopChild, type Spawned } from './util';

/** streamer-http's default write-interval (ms): the floor coalesces its writes the same way. */
export const FLOOR_WRITE_INTERVAL_MS = 500;

export interface FloorInstance {
  server: Spawned;
  /** Its encode (gst-launch-1.0 … ! fdsink fd=1), the floor's child. */
  sourcePid: number;
  url: string;
}

/** Compile floor.c into `dir` (cc -O2); the benchmark machine builds the addons, so it has a compiler. */
function buildFloor(dir: string): string {
  const binary = path.join(dir, 'floor');
  const source = path.join(BENCH_DIR, 'floor', 'floor.c');
  const result = spawnSync('cc', ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`could not compile ${source}: ${result.stderr || result.error?.message}`);
  return binary;
}

/** The floor's child process: its encode. */
function childOf(pid: number): number {
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const child = children.find((c) => Number.isInteger(c) && c > 0);
  if (!child) throw new Error(`the floor (pid ${pid}) has no encode process`);
  return child;
}

export async function startFloor(dir: string): Promise<FloorInstance> {
  const binary = buildFloor(dir);
  const port = await freePort();
  const logFile = path.join(dir, 'floor.log');
  const url = `http://127.0.0.1:${port}${MOUNT}`;
  const server = spawnTracked('floor', [binary, String(port), String(FLOOR_WRITE_INTERVAL_MS), '--', 'gst-launch-1.0', ...gstLaunchArgs(['fdsink', 'fd=1'])], { logFile });
  try {
    await pollUntil(`floor serving ${url}`, 20000, 20, () => probeFirstByte(url, 3000), () => deadReason(server, logFile));
  } catch (error) {
    await stopChild(server);
    throw error;
  }
  await sleep(100);
  const sourcePid = childOf(server.pid);
  log(`floor pid ${server.pid} serving ${url}, encode pid ${sourcePid}`);
  return { server, sourcePid, url };
}
