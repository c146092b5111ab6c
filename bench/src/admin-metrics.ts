/**
 * `node bench/dist/src/admin-metrics.js [LISTENERS] [SECONDS]`: what scraping the admin API's
 * Prometheus /metrics every second costs (issue "Operate and observe": under 1 % of a core at
 * 10,000 listeners).
 *
 * One tone flow under `flowcast serve`, LISTENERS (default 100) connected listeners. The
 * manager's and the worker's CPU time are measured over SECONDS (default 20) without scraping,
 * then over SECONDS with one scrape a second; the difference is the cost of scraping. Prints one
 * JSON object.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { freePort, startServe } from '@flowcast/core/testing';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');
const TICKS = 100;

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

async function main(): Promise<void> {
  const listeners = Number(process.argv[2] ?? 100);
  const seconds = Number(process.argv[3] ?? 20);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-bench-metrics-'));
  const port = await freePort();
  const adminPort = await freePort();
  fs.mkdirSync(path.join(scratch, 'flows'));
  fs.writeFileSync(
    path.join(scratch, 'flows', 'radio.yaml'),
    `name: radio\ncomponents:\n  tone: { type: producer-test }\n  enc: { type: encoder-vorbis, eats: tone }\n  mux: { type: muxer-ogg, eats: enc }\n  web:\n    type: streamer-http\n    eats: mux\n    properties: { mount: /radio.ogg, port: ${port}, bind-address: 127.0.0.1, client-limit: 0 }\n`,
  );
  // Every listener connects from 127.0.0.1, all at once: lift the front's per-address limit on
  // pending heads (64, against one hostile host) and the total (4096), which would refuse most.
  const env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort), FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000', FLOWCAST_HTTP_MAX_PENDING: '100000' };
  const token = spawnSync(process.execPath, [CLI, 'token', 'create', 'bench', '--role', 'read'], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  const serve = startServe([path.join(scratch, 'flows')], { cwd: REPO, env });
  const agent = new http.Agent({ maxSockets: Infinity });
  const clients: http.ClientRequest[] = [];
  try {
    await serve.waitFor(/flow "radio" is running/, 60_000);
    await serve.waitFor(/admin API and dashboard/, 60_000);
    const statuses: Record<string, number> = {};
    for (let i = 0; i < listeners; i++) {
      clients.push(
        http
          .get({ host: '127.0.0.1', port, path: '/radio.ogg', agent }, (r) => {
            statuses[String(r.statusCode)] = (statuses[String(r.statusCode)] ?? 0) + 1;
            r.resume();
          })
          .on('error', (e) => (statuses[e.message] = (statuses[e.message] ?? 0) + 1)),
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
    const manager = serve.process.pid!;
    const worker = serve.workerPid('radio')!;
    const measure = async (scrape: boolean): Promise<{ manager: number; worker: number; scrapes: number; bytes: number }> => {
      const m0 = cpuSeconds(manager);
      const w0 = cpuSeconds(worker);
      let scrapes = 0;
      let bytes = 0;
      for (let s = 0; s < seconds; s++) {
        const tick = new Promise((r) => setTimeout(r, 1000));
        if (scrape) {
          const body = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
          bytes = body.length;
          scrapes++;
        }
        await tick;
      }
      return { manager: (cpuSeconds(manager) - m0) / seconds, worker: (cpuSeconds(worker) - w0) / seconds, scrapes, bytes };
    };
    const quiet = await measure(false);
    const scraped = await measure(true);
    const listening = Number(/flowcast_mount_listeners\{[^}]*\} (\d+)/.exec(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text())?.[1]);
    console.log(
      JSON.stringify({
        listeners,
        listeningPerMetrics: listening,
        answers: statuses,
        seconds,
        coreShareWithoutScraping: { manager: quiet.manager, worker: quiet.worker },
        coreShareScrapingEverySecond: { manager: scraped.manager, worker: scraped.worker },
        scrapeCostPercentOfACore: Math.round((scraped.manager + scraped.worker - quiet.manager - quiet.worker) * 10000) / 100,
        metricsBytes: scraped.bytes,
      }),
    );
  } finally {
    for (const c of clients) c.destroy();
    await serve.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
