import fs from 'node:fs';
import type { AudioLevels } from '../api/component';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';
import type { ResolvedFlow } from '../flow/types';
import { HttpFront } from '../http/http-front';
import { createLogger, loggerOptionsFromEnvironment } from '../log/logger';
import { FlowRuntime, type ImplementationLoader } from '../runtime/flow-runtime';
import { ProcessLimits } from '../runtime/system-limits';
import type { CaptureStore } from './capture';

/** After end-of-stream, how long the captures may take to hand over what GStreamer already gave them. */
const DRAIN_LIMIT_MS = 5000;
/**
 * A pull that GStreamer completed just before end-of-stream reaches its JavaScript callback a few
 * moments after the bus message; a component's own counters are read after this pause.
 */
const SETTLE_MS = 50;

export interface HarnessRunPlan {
  flow: ResolvedFlow;
  loader: ImplementationLoader;
  store: CaptureStore;
  subject: string;
  /** End after this much wall time even without end-of-stream (a live producer under test). */
  wallTimeMs?: number;
  /** Fail when end-of-stream has not come after this long. */
  limitMs: number;
}

export interface HarnessRunResult {
  stats?: Readonly<Record<string, number>>;
  levels?: AudioLevels;
}

type Outcome = { kind: 'ended' } | { kind: 'timed' } | { kind: 'failed'; error: FlowcastError } | { kind: 'limit' };

/** Quiet unless FLOWCAST_LOG_LEVEL asks for the logs: a test's output is its assertions. */
function testLogger(): Logger {
  if (process.env.FLOWCAST_LOG_LEVEL) return createLogger(loggerOptionsFromEnvironment(process.env, process.stderr));
  return createLogger({ format: 'json', level: 'error', sink: { write: () => {} } });
}

/**
 * Run a validated test flow with the real FlowRuntime and the services `flowcast run` gives,
 * until end-of-stream (or the wall time of a live producer), then stop it whatever happened.
 */
export async function runHarnessFlow(plan: HarnessRunPlan): Promise<HarnessRunResult> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-component-'));
  const logger = testLogger();
  const http = new HttpFront({ logger });
  const runtime = new FlowRuntime(plan.flow, plan.loader, {
    logger,
    http,
    paths: { project: scratch, flowDirectory: scratch, logs: path.join(scratch, 'logs') },
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
    announcer: { announce: () => {} },
    system: new ProcessLimits(),
  });
  const timers: NodeJS.Timeout[] = [];
  const outcome = new Promise<Outcome>((resolve) => {
    runtime.onEnd(() => resolve({ kind: 'ended' }));
    runtime.onFailure((error) => resolve({ kind: 'failed', error }));
    timers.push(setTimeout(() => resolve({ kind: 'limit' }), plan.limitMs));
    if (plan.wallTimeMs !== undefined) timers.push(setTimeout(() => resolve({ kind: 'timed' }), plan.wallTimeMs));
  });
  try {
    await runtime.start();
    const result = await outcome;
    if (result.kind === 'failed') throw result.error;
    if (result.kind === 'limit') {
      throw new FlowcastError('FC_COMPONENT_FAILED', `component "${plan.subject}" did not reach end-of-stream within ${plan.limitMs / 1000} s`, {
        location: { component: plan.subject },
        fix: 'a component must pass end-of-stream on from its eaters to its feeders',
      });
    }
    if (result.kind === 'ended') await plan.store.drained(DRAIN_LIMIT_MS);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const levels = runtime.levels()[plan.subject];
    return { stats: runtime.stats()[plan.subject], ...(levels ? { levels } : {}) };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await runtime.stop();
    await http.closeAll();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
