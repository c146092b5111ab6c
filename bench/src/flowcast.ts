/**
 * Flowcast on loopback: `node core/bin/flowcast.js run FLOW` from the repository root, with the
 * benchmark's flow file (see encode.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { flowYaml, MOUNT } from './encode';
import { deadReason, freePort, log, pollUntil, probeFirstByte, REPO_ROOT, spawnTracked, withTimeout, type Spawned } from './util';

export const FLOWCAST_CLI = path.join(REPO_ROOT, 'core', 'bin', 'flowcast.js');

/** The node flags `flowcast run` runs with (core/src/runtime/node-flags.ts), as its shebang gives them. */
export function runNodeFlags(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return [...(require(path.join(REPO_ROOT, 'core', 'dist', 'src', 'runtime', 'node-flags.js')) as { RUN_NODE_FLAGS: string[] }).RUN_NODE_FLAGS];
}

export interface FlowcastInstance {
  server: Spawned;
  url: string;
  port: number;
  /** ms from spawning `flowcast run` to its "is running" line on stdout. */
  startToRunningMs: number;
  /** ms from spawning `flowcast run` to the first byte served on the mount. */
  startToFirstByteMs: number;
  logFile: string;
}

/**
 * `debug`: log at debug level, so the log holds the pipeline Flowcast built (see pipelineDescription).
 * `frontDefaults`: keep the HTTP front's per-address limit (the attack bench measures it); else it is
 * lifted, since every load client connects from one address.
 */
export async function startFlowcast(dir: string, label: string, options: { debug?: boolean; frontDefaults?: boolean } = {}): Promise<FlowcastInstance> {
  const debug = options.debug ?? false;
  const port = await freePort();
  const flowFile = path.join(dir, `flow-${label}.yaml`);
  fs.writeFileSync(flowFile, flowYaml(port));
  const logFile = path.join(dir, `flowcast-${label}.log`);
  const url = `http://127.0.0.1:${port}${MOUNT}`;

  const t0 = performance.now();
  const server = spawnTracked(`flowcast (${label})`, [process.execPath, ...runNodeFlags(), FLOWCAST_CLI, 'run', flowFile], {
    cwd: REPO_ROOT,
    // Every load client connects from 127.0.0.1, and the burst test opens 1000 connections at once:
    // the front's per-address limit on pending heads (64, against one hostile host) would refuse
    // most of them, as it should for one host. Lifted unless asked (`npm run bench:attack` measures it).
    env: {
      ...process.env,
      FLOWCAST_LOG: 'json',
      FLOWCAST_LOG_LEVEL: debug ? 'debug' : 'info',
      ...(options.frontDefaults ? {} : { FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000' }),
    },
    logFile,
    pipeStdout: true,
  });
  const why = (): string | undefined => deadReason(server, logFile);
  const running = new Promise<number>((resolve, reject) => {
    let out = '';
    server.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/is running/.test(out)) resolve(performance.now() - t0);
    });
    void server.exited.then(() => reject(new Error(why() ?? 'flowcast exited')));
  });
  running.catch(() => undefined);
  // Poll the mount from the moment of the spawn: the first byte may come before or after stdout.
  const firstByte = pollUntil(`flowcast (${label}) serving ${url}`, 30000, 20, () => probeFirstByte(url, 3000), why).then(() => performance.now() - t0);
  const [startToRunningMs, startToFirstByteMs] = await withTimeout(Promise.all([running, firstByte]), 35000, `flowcast (${label}) start`);
  // Keep draining stdout so the child never blocks on a full pipe.
  server.child.stdout?.resume();
  log(`flowcast (${label}) pid ${server.pid} serving ${url} (run → "is running" ${startToRunningMs.toFixed(0)} ms, → first byte ${startToFirstByteMs.toFixed(0)} ms)`);
  return { server, url, port, startToRunningMs, startToFirstByteMs, logFile };
}

/** The first entry of a Flowcast JSON-lines log whose message is `msg`, if there is one. */
export function firstLogEntry(logFile: string, msg: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes(`"${msg}"`)) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === msg) return entry;
    } catch {
      /* not a JSON line */
    }
  }
  return undefined;
}

/** The pipeline description from a debug-level Flowcast log, if there is one. */
export function pipelineDescription(logFile: string): string | undefined {
  const description = firstLogEntry(logFile, 'pipeline')?.description;
  return typeof description === 'string' && description ? description : undefined;
}

/** Why Flowcast says it dropped a listener: the reason of the first "listener disconnected" in its log. */
export function dropReason(logFile: string): string | undefined {
  const reason = firstLogEntry(logFile, 'listener disconnected')?.reason;
  return typeof reason === 'string' ? reason : undefined;
}
