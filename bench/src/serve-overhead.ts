/**
 * `node bench/dist/src/serve-overhead.js [ROUNDS] [SECONDS] [LISTENERS]`: what the manager of
 * `flowcast serve` costs (issue "A station that runs itself", Targets: a manager with 2 flows uses
 * at most 1.1× the CPU of the same 2 flows under `flowcast run`, and its own RSS is at most 60 MB).
 *
 * Two tone flows run twice at once: under one `flowcast serve` (manager + 2 workers, the admin API
 * on) and as two `flowcast run` processes. Both sides run through the same windows, so the load
 * the other engineers put on the machine falls on both alike; ROUNDS (default 6) windows of
 * SECONDS (default 20) each. In each window: CPU (utime + stime from /proc/PID/stat) of the manager
 * and its workers against that of the two run processes, their ratio, and the manager's RSS
 * (RssAnon + RssFile, sampled every second). LISTENERS (default 0: nobody watches) listen to each
 * flow on both sides. Prints one JSON object with the load average at the start and end.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startFlow, startServe, type RunningFlow } from '@flowcast/core/testing';
import { cpuSeconds } from './proc';

const REPO = path.resolve(__dirname, '..', '..', '..');

function toneFlow(name: string, port: number): string {
  return `name: ${name}
components:
  tone: { type: producer-test }
  enc: { type: encoder-vorbis, eats: tone }
  mux: { type: muxer-ogg, eats: enc }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /${name}.ogg, port: ${port}, bind-address: 127.0.0.1 }
`;
}

function memory(pid: number): { anonKb: number; fileKb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { anonKb: Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0), fileKb: Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0) };
}

function children(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds of each process (a process that exited meanwhile counts 0 and is reported). */
function cpuOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      throw new Error(`process ${pid} exited during the measurement`);
    }
  }
  return total;
}

/** A raw listener that counts the bytes it gets. */
function listen(port: number, mount: string): { bytes(): number; close(): void } {
  let bytes = 0;
  const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(`GET ${mount} HTTP/1.0\r\n\r\n`));
  socket.on('data', (d: Buffer) => (bytes += d.length));
  socket.on('error', () => undefined);
  return { bytes: () => bytes, close: () => socket.destroy() };
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 6);
  const seconds = Number(process.argv[3] ?? 20);
  const listeners = Number(process.argv[4] ?? 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-overhead-'));
  const serveDir = path.join(dir, 'serve');
  fs.mkdirSync(serveDir);
  const ports = { serveA: await freePort(), serveB: await freePort(), runA: await freePort(), runB: await freePort(), admin: await freePort() };
  fs.writeFileSync(path.join(serveDir, 'a.yaml'), toneFlow('over-a', ports.serveA));
  fs.writeFileSync(path.join(serveDir, 'b.yaml'), toneFlow('over-b', ports.serveB));
  fs.writeFileSync(path.join(dir, 'run-a.yaml'), toneFlow('over-a', ports.runA));
  fs.writeFileSync(path.join(dir, 'run-b.yaml'), toneFlow('over-b', ports.runB));
  const loadStart = os.loadavg();
  // As an operator runs it: the admin API on (its own port here), stats logged every 30 s.
  const serve = startServe([serveDir], { cwd: REPO, env: { FLOWCAST_ADMIN_PORT: String(ports.admin), FLOWCAST_WATCH: '1' } });
  const runs: RunningFlow[] = [];
  const clients: { bytes(): number; close(): void }[] = [];
  try {
    runs.push(await startFlow(path.join(dir, 'run-a.yaml'), { cwd: REPO }));
    runs.push(await startFlow(path.join(dir, 'run-b.yaml'), { cwd: REPO }));
    await serve.waitFor(/flow "over-a" is running/, 30_000);
    await serve.waitFor(/flow "over-b" is running/, 30_000);
    for (let i = 0; i < listeners; i++) {
      clients.push(listen(ports.serveA, '/over-a.ogg'), listen(ports.serveB, '/over-b.ogg'), listen(ports.runA, '/over-a.ogg'), listen(ports.runB, '/over-b.ogg'));
    }
    // Past the start-up (registry, validation, first compilations) on both sides.
    await new Promise((r) => setTimeout(r, 10_000));
    const managerPid = serve.process.pid!;
    const runPids = runs.map((r) => r.process.pid!);
    const results: { serve: number; manager: number; run: number; ratio: number; managerRssMb: number }[] = [];
    const rss: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const workers = children(managerPid);
      if (workers.length !== 2) throw new Error(`the manager has ${workers.length} workers, not 2`);
      const m0 = cpuOf([managerPid]);
      const w0 = cpuOf(workers);
      const r0 = cpuOf(runPids);
      let peak = 0;
      for (let s = 0; s < seconds; s++) {
        await new Promise((done) => setTimeout(done, 1000));
        const m = memory(managerPid);
        const total = (m.anonKb + m.fileKb) / 1024;
        rss.push(total);
        peak = Math.max(peak, total);
      }
      const manager = cpuOf([managerPid]) - m0;
      const serveCpu = manager + cpuOf(workers) - w0;
      const run = cpuOf(runPids) - r0;
      results.push({ serve: round(serveCpu), manager: round(manager), run: round(run), ratio: round(serveCpu / run), managerRssMb: round(peak, 1) });
    }
    const ratios = results.map((r) => r.ratio).sort((a, b) => a - b);
    const total = (key: 'serve' | 'run' | 'manager'): number => results.reduce((sum, r) => sum + r[key], 0);
    const sortedRss = [...rss].sort((a, b) => a - b);
    const finalMemory = memory(managerPid);
    process.stdout.write(
      JSON.stringify({
        rounds,
        seconds,
        listenersPerFlow: listeners,
        perRound: results,
        ratio: { median: ratios[Math.floor(ratios.length / 2)], min: ratios[0], max: ratios[ratios.length - 1], overall: round(total('serve') / total('run')) },
        cpuPercentOfOneCore: { serve: round((100 * total('serve')) / (rounds * seconds), 2), manager: round((100 * total('manager')) / (rounds * seconds), 2), run: round((100 * total('run')) / (rounds * seconds), 2) },
        managerRssMb: { median: round(sortedRss[Math.floor(sortedRss.length / 2)]!, 1), max: round(sortedRss[sortedRss.length - 1]!, 1), anonMb: round(finalMemory.anonKb / 1024, 1), fileMb: round(finalMemory.fileKb / 1024, 1) },
        listenersReceiving: listeners > 0 ? clients.filter((c) => c.bytes() > 0).length : undefined,
        loadAverage: { start: loadStart.map((l) => round(l, 2)), end: os.loadavg().map((l) => round(l, 2)) },
      }) + '\n',
    );
  } finally {
    for (const client of clients) client.close();
    await Promise.all([serve.stop('SIGTERM'), ...runs.map((r) => r.stop())]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
