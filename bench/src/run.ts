/**
 * `npm run bench`: Flowcast against Icecast 2 on loopback, in one run. See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareWithFlowcast, STREAM_BYTES_PER_SECOND } from './encode';
import { dropReason, pipelineDescription, startFlowcast, type FlowcastInstance } from './flowcast';
import { ensureIcecast, startIcecast, type IcecastInstance } from './icecast';
import { startFloor } from './floor';
import { idlePhase } from './idle';
import { describeMachine } from './machine';
import { ProcWindow } from './proc';
import { config } from './config';
import { renderResults } from './report';
import type { ClientEvent, HoldRecord, Reader, Results, ServerName, ServerResults } from './types';
import { deadReason, killAllChildrenSync, log, REPO_ROOT, sleep, spawnTracked, stopAllChildren, stopChild, tail, withTimeout } from './util';

const LOAD_CLIENT = path.join(__dirname, 'load-client.js');


// ---------------------------------------------------------------------------------------------
// The load client


/** Run one load-client process to its result line; `onEvent` sees its progress lines. */
async function runClient(name: string, params: object, timeoutMs: number, tmp: string, onEvent?: (event: ClientEvent, pid: number) => void): Promise<ClientEvent> {
  const logFile = path.join(tmp, `client-${name.replace(/[^a-z0-9]+/gi, '-')}.log`);
  const client = spawnTracked(`load client ${name}`, [process.execPath, LOAD_CLIENT, JSON.stringify(params)], { logFile, pipeStdout: true });
  const result = new Promise<ClientEvent>((resolve, reject) => {
    let buffered = '';
    client.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.trim()) continue;
        let event: ClientEvent;
        try {
          event = JSON.parse(line) as ClientEvent;
        } catch {
          continue;
        }
        if (event.event === 'result') resolve(event);
        else if (event.event === 'error') reject(new Error(`load client ${name}: ${String(event.message)}`));
        else onEvent?.(event, client.pid);
      }
    });
    void client.exited.then((how) => reject(new Error(`load client ${name} ended (${how}) without a result; its log:\n${tail(logFile)}`)));
  });
  try {
    return await withTimeout(result, timeoutMs, `load client ${name}`);
  } finally {
    await stopChild(client, 2000);
  }
}

// ---------------------------------------------------------------------------------------------
// The measurements

interface Target {
  name: ServerName;
  url: string;
  pid: number;
  sourcePid?: number;
}

/**
 * Hold N listeners read by `reader`; at N = latencyUnderN, once the window is over, time the
 * first byte of new listeners (one after another, from a second client process) while the N are
 * still held.
 */
async function holdTest(t: Target, n: number, reader: Reader, tmp: string): Promise<HoldRecord> {
  const probeUnderLoad = n === config.latencyUnderN;
  const params = {
    reader,
    lingerMs: probeUnderLoad ? (config.latencyM * 5.05 + 30) * 1000 : 0,
    mode: 'hold',
    url: t.url,
    n,
    rate: config.rampRate,
    maxConnecting: config.maxConnecting,
    settleMs: config.settleS * 1000,
    holdMs: config.holdS * 1000,
    readyTimeoutMs: 15000,
    streamBytesPerSecond: STREAM_BYTES_PER_SECOND,
  };
  let serverWindow: ProcWindow | undefined;
  let sourceWindow: ProcWindow | undefined;
  const record: HoldRecord = { n, reader, client: { event: 'none' } };
  const budgetMs = ((n / config.rampRate) * 3 + 15 + config.settleS + config.holdS + 30) * 1000 + params.lingerMs;
  let probe: Promise<void> | undefined;
  record.client = await runClient(`${t.name} hold ${n} ${reader}`, params, budgetMs, tmp, (event, pid) => {
    if (event.event === 'linger-start') {
      probe = latencyTest(t, tmp, `under ${n}`)
        .then((result) => {
          record.latencyUnderLoad = result;
        })
        .catch((error: Error) => {
          record.latencyUnderLoad = { event: 'error', message: error.message };
        })
        .finally(() => {
          try {
            process.kill(pid, 'SIGUSR2'); // the hold client may let its listeners go
          } catch {
            /* it has ended */
          }
        });
    } else if (event.event === 'window-start') {
      serverWindow = new ProcWindow(t.pid);
      if (t.sourcePid) sourceWindow = new ProcWindow(t.sourcePid);
    } else if (event.event === 'window-end') {
      record.server = serverWindow?.stop();
      record.source = sourceWindow?.stop();
    }
  });
  await probe;
  const c = record.client as { held?: number; dropped?: number; failed?: number; ratioToStream?: number; clientCpuPercent?: number };
  log(
    `${t.name} hold ${n} (${reader}): held ${c.held}, dropped ${c.dropped}, failed ${c.failed}, ` +
      `server CPU ${record.server?.cpuPercent.toFixed(1)} %, RSS ${((record.server?.rssBytes ?? 0) / 2 ** 20).toFixed(1)} MB, ` +
      `bytes/stream ${c.ratioToStream}, client CPU ${c.clientCpuPercent} %` +
      (record.latencyUnderLoad ? `; new listeners' first byte meanwhile ${JSON.stringify(record.latencyUnderLoad.firstByteMs)}` : ''),
  );
  return record;
}

async function burstTest(t: Target, tmp: string): Promise<ClientEvent> {
  const params = { mode: 'burst', url: t.url, k: config.burstK, timeoutMs: config.burstLimitS * 1000 };
  const result = await runClient(`${t.name} burst`, params, (config.burstLimitS + 30) * 1000, tmp);
  log(`${t.name} burst ${config.burstK}: succeeded ${String(result.succeeded)}, reasons ${JSON.stringify(result.reasons)}`);
  return result;
}

async function latencyTest(t: Target, tmp: string, label = ''): Promise<ClientEvent> {
  const params = { mode: 'latency', url: t.url, m: config.latencyM, gapMs: 50, timeoutMs: 5000 };
  const result = await runClient(`${t.name} latency ${label}`.trim(), params, (config.latencyM * 5.05 + 30) * 1000, tmp);
  if (!label) log(`${t.name} latency: first byte ${JSON.stringify(result.firstByteMs)}`);
  return result;
}

function startStall(t: Target, tmp: string): Promise<ClientEvent> {
  const params = { mode: 'stall', url: t.url, maxWaitMs: config.stallMaxS * 1000, pollMs: config.stallPollMs };
  return runClient(`${t.name} stall`, params, (config.stallMaxS + 40) * 1000, tmp);
}

// ---------------------------------------------------------------------------------------------
// The run

let tmpDir: string | undefined;
let cleaning: Promise<void> | undefined;

function removeTmp(): void {
  if (tmpDir && !config.keepTmp) fs.rmSync(tmpDir, { recursive: true, force: true });
  else if (tmpDir) log(`kept ${tmpDir} (BENCH_KEEP_TMP=1)`);
  tmpDir = undefined;
}

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllChildren();
    removeTmp();
  })();
  return cleaning;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const watchdog = setTimeout(() => {
    log(`ERROR: the benchmark passed its ${config.deadlineS} s deadline (BENCH_DEADLINE_S); stopping everything`);
    void cleanup().then(() => process.exit(1));
  }, config.deadlineS * 1000);
  watchdog.unref();

  log(`config: ${JSON.stringify({ ...config, resultsFile: path.relative(REPO_ROOT, config.resultsFile) })}`);
  ensureIcecast();
  const machine = describeMachine();
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-bench-'));
  const tmp = tmpDir;

  // 1. Flowcast alone first, so its start-up time is measured on a quiet machine; then Icecast.
  const fcStartedAt = performance.now();
  const fc = await startFlowcast(tmp, 'main');
  const ic = await startIcecast(tmp, 'main');

  // 2. Idle: both servers with no listener, and the framework overhead against gst-launch-1.0
  //    (idle.ts), before anything else runs beside them.
  const idle = await idlePhase({ flowcast: fc.server.pid, icecast: ic.server.pid, icecastSource: ic.source.pid }, fcStartedAt, tmp);
  log(`idle CPU over ${idle.flowcast.windowSeconds.toFixed(0)} s: flowcast ${idle.flowcast.cpuPercent.toFixed(2)} %, icecast2 ${idle.icecast.cpuPercent.toFixed(2)} % (+ source ${idle.icecastSource.cpuPercent.toFixed(2)} %)`);

  // The floor (floor.ts): started after the idle phase, so that it does not share its CPUs; its
  // own idle figures are measured now, over the same length as one overhead round.
  const floor = await startFloor(tmp);
  const floorIdleWindow = new ProcWindow(floor.server.pid);
  const floorSourceIdleWindow = new ProcWindow(floor.sourcePid);
  await sleep(config.idleS * 1000);
  const floorIdle = floorIdleWindow.stop();
  const floorSourceIdle = floorSourceIdleWindow.stop();
  log(`floor idle: ${floorIdle.cpuPercent.toFixed(2)} % (+ its encode ${floorSourceIdle.cpuPercent.toFixed(2)} %), RSS ${(floorIdle.rssBytes / 2 ** 20).toFixed(1)} MB`);

  // 3. The stalled listeners need minutes, so they get their own server instances (a stalled
  //    listener's backlog must not count in the main instances' memory) and run in the background.
  const [fcStall, icStall] = await Promise.all([startFlowcast(tmp, 'stall', { debug: true }), startIcecast(tmp, 'stall')]);
  const stallStartedAt = performance.now();
  const pipelineWarning = compareWithFlowcast(pipelineDescription(fcStall.logFile));
  if (pipelineWarning) log(`WARNING: ${pipelineWarning}`);
  const stopStallInstance = (instance: FlowcastInstance | IcecastInstance): Promise<void> =>
    Promise.all([stopChild(instance.server), 'source' in instance ? stopChild(instance.source) : Promise.resolve()]).then(() => undefined);
  let stallsPending = 2;
  const stallDone = (): void => {
    stallsPending--;
  };
  const stallFlowcast = startStall({ name: 'flowcast', url: fcStall.url, pid: fcStall.server.pid }, tmp).finally(() => (stallDone(), stopStallInstance(fcStall)));
  const stallIcecast = startStall({ name: 'icecast', url: icStall.url, pid: icStall.server.pid }, tmp).finally(() => (stallDone(), stopStallInstance(icStall)));
  stallFlowcast.catch(() => undefined);
  stallIcecast.catch(() => undefined);
  await sleep(2000);

  // 4. Holds, alternating servers at each N, then bursts and first-byte latency.
  const targets: Record<ServerName, Target> = {
    flowcast: { name: 'flowcast', url: fc.url, pid: fc.server.pid },
    icecast: { name: 'icecast', url: ic.url, pid: ic.server.pid, sourcePid: ic.source.pid },
    floor: { name: 'floor', url: floor.url, pid: floor.server.pid, sourcePid: floor.sourcePid },
  };
  const names = ['icecast', 'flowcast', 'floor'] as const;
  const holds: Record<ServerName, HoldRecord[]> = { flowcast: [], icecast: [], floor: [] };
  for (const n of config.listenerCounts) {
    for (const reader of config.readers) {
      for (const name of names) {
        holds[name].push(await holdTest(targets[name], n, reader, tmp));
        await sleep(config.pauseS * 1000);
      }
    }
  }
  const bursts: Partial<Record<ServerName, ClientEvent>> = {};
  const latencies: Partial<Record<ServerName, ClientEvent>> = {};
  for (const name of names) {
    bursts[name] = await burstTest(targets[name], tmp);
    await sleep(config.pauseS * 1000);
  }
  for (const name of names) latencies[name] = await latencyTest(targets[name], tmp);

  // 5. The stalled listeners.
  const left = config.stallMaxS - (performance.now() - stallStartedAt) / 1000;
  if (left > 0 && stallsPending > 0) log(`waiting up to ${left.toFixed(0)} s more for the stalled listeners to be dropped`);
  const [stallF, stallI] = await Promise.all([stallFlowcast, stallIcecast]);
  const serverReason = dropReason(fcStall.logFile);
  if (serverReason) stallF.serverReason = serverReason;
  const stallTimes = (r: ClientEvent): string => `${JSON.stringify(r.releasedAfterUnreadS)} s from its first unread byte (${JSON.stringify(r.releasedAfterS)} s from its last read)`;
  log(`stall: flowcast ${stallTimes(stallF)}, icecast ${stallTimes(stallI)}`);

  const servers = (name: 'flowcast' | 'icecast'): ServerResults => ({
    idle: name === 'flowcast' ? idle.flowcast : idle.icecast,
    holds: holds[name],
    burst: bursts[name] as ClientEvent,
    latency: latencies[name] as ClientEvent,
    stall: name === 'flowcast' ? stallF : stallI,
    startToFirstByteMs: name === 'flowcast' ? fc.startToFirstByteMs : ic.startToFirstByteMs,
  });
  // Alive to the end? A server that died mid-run would make every later figure meaningless.
  for (const s of [fc.server, ic.server, ic.source, floor.server]) {
    const dead = deadReason(s);
    if (dead) throw new Error(`${dead} during the run: its figures are not valid`);
  }

  const results: Results = {
    config,
    machine,
    startedAt: startedAt.toISOString(),
    wallS: 0,
    flowcast: servers('flowcast'),
    icecast: servers('icecast'),
    icecastSourceIdle: idle.icecastSource,
    floor: { idle: floorIdle, sourceIdle: floorSourceIdle, holds: holds.floor, burst: bursts.floor as ClientEvent, latency: latencies.floor as ClientEvent },
    overheadRounds: idle.rounds,
    overheadCpu: idle.measuredCpu,
    flowcastStartToRunningMs: fc.startToRunningMs,
    pipelineWarning,
  };
  await cleanup();
  results.wallS = (performance.now() - t0) / 1000;
  const markdown = renderResults(results);
  process.stdout.write(`\n${markdown}\n`);
  fs.writeFileSync(config.resultsFile, markdown);
  log(`wrote ${path.relative(process.cwd(), config.resultsFile)} (wall time ${results.wallS.toFixed(0)} s)`);
  clearTimeout(watchdog);
}

process.on('exit', () => {
  killAllChildrenSync();
  removeTmp();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping every process the benchmark started`);
    void cleanup().then(() => process.exit(130));
  });
}

main().catch(async (error: Error) => {
  log(`FAILED: ${error.message}`);
  await cleanup();
  process.exit(1);
});
