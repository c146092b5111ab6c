/** The benchmark's settings; every one can be changed with an environment variable (bench/README.md). */
import path from 'node:path';
import { REPO_ROOT } from './util';
import type { Reader } from './types';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a number`);
  return value;
}

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(',').map((x) => {
    const n = Number(x.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw}: expected a comma-separated list of listener counts`);
    return n;
  });
}

function envReaders(name: string, fallback: Reader[]): Reader[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const readers = raw.split(',').map((x) => x.trim());
  for (const r of readers) if (r !== 'onread' && r !== 'data') throw new Error(`${name}=${raw}: expected onread, data or both, comma-separated`);
  return readers as Reader[];
}

const quick = process.env.BENCH_QUICK === '1';
export const config = {
  quick,
  listenerCounts: envList('BENCH_N', quick ? [100, 500] : [1000, 5000, 10000]),
  holdS: envNumber('BENCH_HOLD_S', quick ? 5 : 20),
  settleS: envNumber('BENCH_SETTLE_S', quick ? 1 : 2),
  rampRate: envNumber('BENCH_RAMP_RATE', 1000),
  maxConnecting: envNumber('BENCH_MAX_CONNECTING', 64),
  burstK: envNumber('BENCH_BURST', quick ? 200 : 1000),
  burstLimitS: envNumber('BENCH_BURST_LIMIT_S', 10),
  latencyM: envNumber('BENCH_LATENCY_M', quick ? 20 : 100),
  /** At this N, new listeners' first byte is also timed while the N are held (0: never). */
  latencyUnderN: envNumber('BENCH_LATENCY_UNDER_N', quick ? 500 : 5000),
  /** The load clients every hold runs with: each reads its listeners differently (load-client.ts). */
  readers: envReaders('BENCH_READERS', ['onread', 'data']),
  stallMaxS: envNumber('BENCH_STALL_MAX_S', quick ? 60 : 420),
  /** How often the stalled listener's client asks `ss` whether the server still holds its end:
   * the resolution of the time to drop (one `ss` per poll, filtered in the kernel). */
  stallPollMs: envNumber('BENCH_STALL_POLL_MS', 250),
  // Many short rounds rather than a few long ones: each round draws a new phase between the
  // encodes (idle.ts), which is what moves one round's ratio by up to ±10 %.
  idleS: envNumber('BENCH_IDLE_S', quick ? 5 : 12),
  idleRounds: Math.max(1, Math.round(envNumber('BENCH_IDLE_ROUNDS', quick ? 1 : 9))),
  /** The idle window starts this long after Flowcast's start at the earliest: V8 collects the
   * garbage of start-up (loading, schema compilation) in its first 15 s or so. */
  idleAfterStartS: envNumber('BENCH_IDLE_AFTER_START_S', quick ? 5 : 20),
  pauseS: envNumber('BENCH_PAUSE_S', quick ? 1 : 2),
  deadlineS: envNumber('BENCH_DEADLINE_S', 1500),
  resultsFile: path.resolve(REPO_ROOT, process.env.BENCH_RESULTS ?? path.join('bench', quick ? 'RESULTS.quick.md' : 'RESULTS.md')),
  keepTmp: process.env.BENCH_KEEP_TMP === '1',
};
export type BenchConfig = typeof config;
