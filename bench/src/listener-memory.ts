/**
 * What one listener costs in memory, by part: `node bench/dist/src/listener-memory.js [N]`
 * (default 5000). Flowcast, Icecast and the C floor each hold N listeners (the load client's hold,
 * onread), one server at a time; each server is measured idle and while holding:
 *
 *   - the process: VmRSS (for Flowcast as it is, and after the probe's full collection), and for Flowcast its parts after a full garbage collection (mem-probe.ts,
 *     preloaded): the V8 heap in use, V8's heap as reserved, memory outside the heap (RssAnon less
 *     the V8 heap: malloc, libuv, the addon), and file-backed pages (code; shared between processes);
 *   - the kernel: the server's ends of the N connections, from `ss -tm` (skmem): bytes allocated
 *     for their receive and send queues (r, w) and reserved ahead (f), summed. The clients' ends are
 *     the client's cost, not the server's.
 *
 * Prints one JSON object. Needs what `npm run bench` needs (icecast2 installed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STREAM_BYTES_PER_SECOND } from './encode';
import { startFloor } from './floor';
import { startFlowcast } from './flowcast';
import { ensureIcecast, startIcecast } from './icecast';
import { rssBytes } from './proc';
import { log, sleep, spawnTracked, stopAllChildren, stopChild, type Spawned } from './util';

const N = Number(process.argv[2] ?? 5000);
const LOAD_CLIENT = path.join(__dirname, 'load-client.js');

interface Probe {
  rss: number;
  rssAnon: number;
  rssFile: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Ask the preloaded probe of `pid` for its memory (it answers by appending a line to `file`). */
async function probe(pid: number, file: string): Promise<Probe> {
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length > before) return JSON.parse(lines[lines.length - 1]!) as Probe;
  }
  throw new Error('the memory probe did not answer');
}

/** The kernel memory of the server's ends of its established connections on `port`. */
function kernelMemory(port: number): { sockets: number; bytes: number; rb: number; tb: number } {
  const ss = spawnSync('ss', ['-tmnH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  let sockets = 0;
  let bytes = 0;
  let rb = 0;
  let tb = 0;
  for (const m of ss.stdout.matchAll(/skmem:\(r(\d+),rb(\d+),t(\d+),tb(\d+),f(\d+),w(\d+)/g)) {
    sockets++;
    bytes += Number(m[1]) + Number(m[5]) + Number(m[6]);
    rb += Number(m[2]);
    tb += Number(m[4]);
  }
  return { sockets, bytes, rb: sockets ? rb / sockets : 0, tb: sockets ? tb / sockets : 0 };
}

/** Hold N listeners on `url`; `measure` runs while they are held. */
async function holding<T>(url: string, tmp: string, measure: () => Promise<T>): Promise<{ held: unknown; measured: T }> {
  const params = { mode: 'hold', url, n: N, rate: 1000, maxConnecting: 64, settleMs: 3000, holdMs: 2000, readyTimeoutMs: 15000, streamBytesPerSecond: STREAM_BYTES_PER_SECOND, reader: 'onread', lingerMs: 120_000 };
  const client: Spawned = spawnTracked('load client (memory)', [process.execPath, LOAD_CLIENT, JSON.stringify(params)], { logFile: path.join(tmp, 'client.log'), pipeStdout: true });
  let measured: Promise<T> | undefined;
  const result = await new Promise<unknown>((resolve, reject) => {
    let buffered = '';
    client.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const event = JSON.parse(buffered.slice(0, i)) as { event: string };
        buffered = buffered.slice(i + 1);
        if (event.event === 'linger-start') {
          measured = measure();
          void measured.finally(() => process.kill(client.pid, 'SIGUSR2'));
        } else if (event.event === 'result') resolve(event);
        else if (event.event === 'error') reject(new Error(JSON.stringify(event)));
      }
    });
    void client.exited.then((how) => reject(new Error(`the load client ended (${how})`)));
  });
  await stopChild(client);
  const { held } = result as { held: number };
  return { held, measured: await (measured as Promise<T>) };
}

async function main(): Promise<void> {
  ensureIcecast();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-memory-'));
  const perListener = (after: number, before: number): number => Math.round(((after - before) / N) * 10) / 10;
  const out: Record<string, unknown> = { n: N };
  try {
    // Flowcast, with the probe preloaded.
    const probeFile = path.join(tmp, 'probe.jsonl');
    const nodeOptions = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${nodeOptions ?? ''} -r ${path.join(__dirname, 'mem-probe.js')}`.trim();
    process.env.BENCH_MEM_PROBE_FILE = probeFile;
    const fc = await startFlowcast(tmp, 'memory');
    delete process.env.BENCH_MEM_PROBE_FILE;
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
    await sleep(20_000); // past start-up's garbage
    // VmRSS as the server has it (what `npm run bench` reads), before the probe's own full collection.
    const idleRss = rssBytes(fc.server.pid);
    const idle = await probe(fc.server.pid, probeFile);
    const { held, measured } = await holding(fc.url, tmp, async () => ({ rss: rssBytes(fc.server.pid), probe: await probe(fc.server.pid, probeFile), kernel: kernelMemory(fc.port) }));
    const p = measured.probe;
    out.flowcast = {
      held,
      idle,
      holding: p,
      rssBeforeProbe: { idle: idleRss, holding: measured.rss },
      perListenerBytes: {
        rssAsItIs: perListener(measured.rss, idleRss),
        rss: perListener(p.rss, idle.rss),
        v8HeapUsed: perListener(p.heapUsed, idle.heapUsed),
        v8HeapReserved: perListener(p.heapTotal, idle.heapTotal),
        outsideV8Heap: perListener(p.rssAnon - p.heapTotal, idle.rssAnon - idle.heapTotal),
        fileBacked: perListener(p.rssFile, idle.rssFile),
        kernelServerEnd: Math.round(measured.kernel.bytes / Math.max(1, measured.kernel.sockets)),
      },
      kernel: measured.kernel,
    };
    await stopChild(fc.server);

    // BENCH_MEM_SERVERS=flowcast: Flowcast alone (what changes from one of its versions to the next).
    const others = (process.env.BENCH_MEM_SERVERS ?? 'flowcast,icecast,floor').split(',');
    for (const name of (['icecast', 'floor'] as const).filter((n) => others.includes(n))) {
      const server = name === 'icecast' ? await startIcecast(tmp, 'memory') : await startFloor(tmp);
      const port = Number(new URL(server.url).port);
      await sleep(5000);
      const idleRss = rssBytes(server.server.pid);
      const r = await holding(server.url, tmp, async () => ({ rss: rssBytes(server.server.pid), kernel: kernelMemory(port) }));
      out[name] = {
        held: r.held,
        idleRss,
        holdingRss: r.measured.rss,
        perListenerBytes: { rss: perListener(r.measured.rss, idleRss), kernelServerEnd: Math.round(r.measured.kernel.bytes / Math.max(1, r.measured.kernel.sockets)) },
        kernel: r.measured.kernel,
      };
      await stopChild(server.server);
      if ('source' in server) await stopChild(server.source);
    }
  } finally {
    await stopAllChildren();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  log('done');
}

main().catch(async (error: Error) => {
  log(`FAILED: ${error.message}`);
  await stopAllChildren();
  process.exit(1);
});
