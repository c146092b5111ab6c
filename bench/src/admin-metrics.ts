/**
 * `node bench/dist/src/admin-metrics.js [LISTENERS] [WINDOW_SECONDS] [ROUNDS] [burst]`: what scraping the
 * admin API's Prometheus /metrics every second costs (issue "Operate and observe": under 1 % of a
 * core at 10,000 listeners).
 *
 * One tone flow under `flowcast serve`; LISTENERS (default 100) listeners held by the load client
 * (a separate process, load-client.ts), connecting through serve's porter at 1000 a second. The
 * measure starts once every listener has had its first byte AND /metrics counts every one of them
 * (the porter has handed every connection over to the worker). Then ROUNDS (default 3) rounds of
 * two windows of WINDOW_SECONDS (default 20), one without scraping and one with a scrape a second,
 * in alternating order (so that a drift of the machine's load falls on both alike): the cost of
 * scraping is, per round, the manager's and the worker's CPU time in the window with scrapes less
 * that in the window without. Then 200 scrapes back to back: the CPU time of each, less what the
 * process spends anyway. Prints one JSON object, with the load average at each window; results in
 * bench/RESULTS-metrics.md. `burst`: all listeners connect at once (a test of the porter's handover).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { freePort, startServe } from '@flowcast/core/testing';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');
const LOAD_CLIENT = path.join(__dirname, 'load-client.js');
const TICKS = 100;

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function openFiles(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const listeners = Number(process.argv[2] ?? 100);
  const seconds = Number(process.argv[3] ?? 20);
  const rounds = Number(process.argv[4] ?? 3);
  // New connections a second during the ramp (1000, at most 64 handshakes in flight); "burst": all at once.
  const burst = process.argv[5] === 'burst';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-bench-metrics-'));
  const port = await freePort();
  const adminPort = await freePort();
  fs.mkdirSync(path.join(scratch, 'flows'));
  fs.writeFileSync(
    path.join(scratch, 'flows', 'radio.yaml'),
    `name: radio\ncomponents:\n  tone: { type: producer-test }\n  enc: { type: encoder-vorbis, eats: tone }\n  mux: { type: muxer-ogg, eats: enc }\n  web:\n    type: streamer-http\n    eats: mux\n    properties: { mount: /radio.ogg, port: ${port}, bind-address: 127.0.0.1, client-limit: 0 }\n`,
  );
  // Every listener connects from 127.0.0.1: lift the front's per-address limit on pending heads
  // (64, against one hostile host) and the total (4096), which would refuse most of a ramp.
  const env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort), FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000', FLOWCAST_HTTP_MAX_PENDING: '100000' };
  const token = spawnSync(process.execPath, [CLI, 'token', 'create', 'bench', '--role', 'read'], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  const serve = startServe([path.join(scratch, 'flows')], { cwd: REPO, env });
  const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const listening = async (): Promise<number> => Number(/flowcast_mount_listeners\{[^}]*\} (\d+)/.exec(await scrape())?.[1] ?? Number.NaN);
  let client: ReturnType<typeof spawn> | undefined;
  try {
    await serve.waitFor(/flow "radio" is running/, 60_000);
    await serve.waitFor(/admin API and dashboard/, 60_000);
    const manager = serve.process.pid!;
    const worker = serve.workerPid('radio')!;
    const params = { mode: 'hold', url: `http://127.0.0.1:${port}/radio.ogg`, n: listeners, rate: burst ? listeners : 1000, maxConnecting: burst ? listeners : 64, settleMs: 1000, holdMs: 1000, readyTimeoutMs: 120_000, streamBytesPerSecond: 1, reader: 'onread', lingerMs: 3_600_000 };
    const rampStart = performance.now();
    client = spawn(process.execPath, [LOAD_CLIENT, JSON.stringify(params)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    client.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        lines.push(JSON.parse(buffered.slice(0, i)) as Record<string, unknown>);
        buffered = buffered.slice(i + 1);
      }
    });
    const event = async (name: string, timeoutMs: number): Promise<Record<string, unknown>> => {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => l.event === name);
        if (found) return found;
        if (performance.now() > deadline) throw new Error(`the load client did not say "${name}" within ${timeoutMs / 1000} s: ${JSON.stringify(lines.slice(-3))}`);
        await sleep(200);
      }
    };
    const held = Number((await event('linger-start', 600_000)).listeners);
    const servedAtClient = (performance.now() - rampStart) / 1000;
    // Every listener has had data; wait until the server counts each one (the hub's count, as of
    // its last sweep) and the manager holds no connection on its way to the worker.
    let counted = await listening();
    const countDeadline = performance.now() + 120_000;
    while (counted !== held && performance.now() < countDeadline) {
      await sleep(1000);
      counted = await listening();
    }
    const servedAtServer = (performance.now() - rampStart) / 1000;
    await sleep(3000);
    const managerFiles = openFiles(manager);
    const measure = async (scraping: boolean): Promise<{ manager: number; worker: number; scrapes: number; bytes: number; scrapeMs: number; load1: number }> => {
      const m0 = cpuSeconds(manager);
      const w0 = cpuSeconds(worker);
      const t0 = performance.now();
      let scrapes = 0;
      let bytes = 0;
      let scrapeMs = 0;
      for (let s = 0; s < seconds; s++) {
        const tick = sleep(1000);
        if (scraping) {
          const start = performance.now();
          bytes = (await scrape()).length;
          scrapeMs += performance.now() - start;
          scrapes++;
        }
        await tick;
      }
      const elapsed = (performance.now() - t0) / 1000;
      return { manager: (cpuSeconds(manager) - m0) / elapsed, worker: (cpuSeconds(worker) - w0) / elapsed, scrapes, bytes, scrapeMs: scrapes ? scrapeMs / scrapes : 0, load1: os.loadavg()[0]! };
    };
    const results: { round: number; quiet: Awaited<ReturnType<typeof measure>>; scraped: Awaited<ReturnType<typeof measure>>; costPercent: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      let quiet;
      let scraped;
      if (r % 2 === 0) {
        quiet = await measure(false);
        scraped = await measure(true);
      } else {
        scraped = await measure(true);
        quiet = await measure(false);
      }
      results.push({ round: r + 1, quiet, scraped, costPercent: round((scraped.manager + scraped.worker - quiet.manager - quiet.worker) * 100) });
    }
    // The same cost seen closer: 200 scrapes back to back, the CPU time each takes in the manager
    // and the worker (what one scrape a second costs, with less of the machine's noise), less what
    // each process spends meanwhile anyway (its rate in the windows without scraping: the worker
    // serving 10,000 listeners spends about 0.4 ms of each 3 ms scrape on them).
    const background = { manager: results.reduce((n, r) => n + r.quiet.manager, 0) / results.length, worker: results.reduce((n, r) => n + r.quiet.worker, 0) / results.length };
    // Scrapes within 250 ms share one set of worker statistics (metrics.ts): back to back, the
    // worker would be asked a few times only. Its share is measured with GET /api/flows/radio,
    // which asks it each time, as a scrape a second does.
    const BACK_TO_BACK = 200;
    const backToBack = async (ask: () => Promise<unknown>): Promise<{ managerMs: number; workerMs: number; wallMs: number }> => {
      const m0 = cpuSeconds(manager);
      const w0 = cpuSeconds(worker);
      const b0 = performance.now();
      for (let i = 0; i < BACK_TO_BACK; i++) await ask();
      const wallMs = (performance.now() - b0) / BACK_TO_BACK;
      return { managerMs: ((cpuSeconds(manager) - m0) * 1000) / BACK_TO_BACK - background.manager * wallMs, workerMs: ((cpuSeconds(worker) - w0) * 1000) / BACK_TO_BACK - background.worker * wallMs, wallMs };
    };
    const scrapes = await backToBack(scrape);
    const flowStats = await backToBack(async () => (await fetch(`http://127.0.0.1:${adminPort}/api/flows/radio`, { headers: { authorization: `Bearer ${token}` } })).text());
    const perScrape = { managerMs: round(scrapes.managerMs), workerMs: round(flowStats.workerMs), wallMs: round(scrapes.wallMs), flowStatsWallMs: round(flowStats.wallMs), load1: os.loadavg()[0]! };
    const countedAtEnd = await listening();
    const serveWarnings = serve.logs().filter((r) => r.level === 'warn' || r.level === 'error').map((r) => String(r.msg));
    const workerStarts = Number(/flowcast_flow_worker_starts_total\{[^}]*\} (\d+)/.exec(await scrape())?.[1]);
    const costs = results.map((r) => r.costPercent).sort((a, b) => a - b);
    const mean = (pick: (r: (typeof results)[number]) => number): number => round((results.reduce((n, r) => n + pick(r), 0) / results.length) * 100, 3);
    console.log(
      JSON.stringify(
        {
          listeners,
          held,
          countedPerMetrics: counted,
          countedPerMetricsAtEnd: countedAtEnd,
          servedSeconds: { everyListenerHadData: round(servedAtClient, 1), metricsCountedEvery: round(servedAtServer, 1) },
          managerOpenFiles: managerFiles,
          workerStarts,
          flowMoods: serve.logs().filter((r) => r.msg === 'mood').map((r) => `${String(r.mood)}: ${String(r.reason)}`),
          serveWarnings: Object.fromEntries([...new Set(serveWarnings)].map((w) => [w, serveWarnings.filter((x) => x === w).length])),
          ramp: burst ? 'all at once' : '1000/s, at most 64 connecting',
          windowSeconds: seconds,
          rounds: results.map((r) => ({
            round: r.round,
            withoutScraping: { manager: round(r.quiet.manager * 100), worker: round(r.quiet.worker * 100), load1: r.quiet.load1 },
            scrapingEverySecond: { manager: round(r.scraped.manager * 100), worker: round(r.scraped.worker * 100), load1: r.scraped.load1, scrapeMs: round(r.scraped.scrapeMs, 1) },
            costPercentOfACore: r.costPercent,
          })),
          meanPercentOfACore: {
            withoutScraping: { manager: mean((r) => r.quiet.manager), worker: mean((r) => r.quiet.worker) },
            scrapingEverySecond: { manager: mean((r) => r.scraped.manager), worker: mean((r) => r.scraped.worker) },
          },
          backToBack: { scrapes: BACK_TO_BACK, ...perScrape, percentOfACoreAtOneScrapeASecond: round((perScrape.managerMs + perScrape.workerMs) / 10, 3) },
          scrapeCostPercentOfACore: { mean: round(costs.reduce((a, b) => a + b, 0) / costs.length), median: costs[Math.floor(costs.length / 2)] },
          metricsBytes: results[0]?.scraped.bytes,
          loadAverage: os.loadavg().map((x) => round(x)),
        },
        null,
        1,
      ),
    );
  } finally {
    if (client && client.exitCode === null) client.kill('SIGKILL');
    await serve.stop();
    // The server's log, for a run that went wrong (a worker replaced, listeners refused).
    const log = path.join(os.tmpdir(), 'flowcast-bench-metrics-serve.log');
    fs.writeFileSync(log, serve.stderr());
    console.error(`flowcast serve's log: ${log}`);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
