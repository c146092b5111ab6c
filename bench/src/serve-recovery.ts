/**
 * `node bench/dist/src/serve-recovery.js [LISTENERS] [CYCLES]`: what `flowcast serve` costs and
 * keeps through worker crashes (issue "A station that runs itself", Targets).
 *
 * Two tone flows, A and B, under one manager. LISTENERS (default 50) listen to B. Then CYCLES
 * (default 20) times: kill -9 A's worker, time until A is running and answering again. Meanwhile
 * B's listeners must receive every Ogg page (no sequence gap). Before and after: the manager's RSS
 * and open file descriptors, and zombie processes under it. Prints one JSON object.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, oggPages, oggSequenceGaps, readStream, startServe } from '@flowcast/core/testing';

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
    properties: { mount: /${name}.ogg, port: ${port}, bind-address: 127.0.0.1, client-limit: 0 }
`;
}

function managerState(pid: number): { rssKb: number; fds: number; zombies: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  let zombies = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === pid) zombies++;
    } catch {
      // gone meanwhile
    }
  }
  return { rssKb, fds, zombies };
}

/** A raw listener keeping every byte after the response head. */
function listen(port: number, mount: string): { body(): Buffer; close(): void } {
  const chunks: Buffer[] = [];
  const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(`GET ${mount} HTTP/1.0\r\n\r\n`));
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  return {
    body: () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      return split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
    },
    close: () => socket.destroy(),
  };
}

async function main(): Promise<void> {
  const listeners = Number(process.argv[2] ?? 50);
  const cycles = Number(process.argv[3] ?? 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-serve-bench-'));
  const [portA, portB] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(dir, 'a.yaml'), toneFlow('bench-a', portA));
  fs.writeFileSync(path.join(dir, 'b.yaml'), toneFlow('bench-b', portB));
  // Short waits between replacements, so that CYCLES kills measure the replacement, not the backoff.
  const serve = startServe([dir], { cwd: REPO, env: { FLOWCAST_RESTART_MIN: '0.1', FLOWCAST_RESTART_MAX: '0.2', FLOWCAST_STATS_INTERVAL: '3600' } });
  try {
    await serve.waitFor(/flow "bench-a" is running/, 30_000);
    await serve.waitFor(/flow "bench-b" is running/, 30_000);
    const managerPid = serve.process.pid!;
    await new Promise((r) => setTimeout(r, 2000));
    const before = managerState(managerPid);
    const clients = Array.from({ length: listeners }, () => listen(portB, '/bench-b.ogg'));
    const recoveries: number[] = [];
    // The manager's RSS, fds and zombies every 50 cycles (to stderr as it goes, and in the result): flat, or a leak.
    const progress: ({ cycle: number } & ReturnType<typeof managerState>)[] = [];
    for (let i = 0; i < cycles; i++) {
      if (i > 0 && i % 50 === 0) {
        progress.push({ cycle: i, ...managerState(managerPid) });
        process.stderr.write(`${JSON.stringify({ ...progress[progress.length - 1], medianRecoveryMs: Math.round([...recoveries].sort((a, b) => a - b)[Math.floor(recoveries.length / 2)]!) })}\n`);
      }
      const pid = await workerPid(serve, 'bench-a');
      const mark = serve.stdout().length;
      const killedAt = performance.now();
      process.kill(pid, 'SIGKILL');
      await serve.waitFor(/flow "bench-a" is running/, 90_000, mark);
      const { status } = await readStream(`http://127.0.0.1:${portA}/bench-a.ogg`, { bytes: 1 });
      if (status !== 200) throw new Error(`bench-a answered ${status} after restart ${i + 1}`);
      recoveries.push(performance.now() - killedAt);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = managerState(managerPid);
    let gaps = 0;
    let connected = 0;
    let shortest = Number.POSITIVE_INFINITY;
    for (const client of clients) {
      const pages = oggPages(client.body()).filter((p) => p.granule > 0n);
      if (pages.length > 0) connected++;
      gaps += oggSequenceGaps(pages).length;
      if (pages.length > 1) shortest = Math.min(shortest, Number(pages[pages.length - 1]!.granule - pages[0]!.granule) / 44100);
      client.close();
    }
    const sorted = [...recoveries].sort((a, b) => a - b);
    process.stdout.write(
      JSON.stringify({
        listeners,
        cycles,
        recoveryMs: { median: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted[sorted.length - 1]!), min: Math.round(sorted[0]!) },
        otherFlow: { listenersReceiving: connected, pageGaps: gaps, shortestSecondsReceived: Math.round(shortest * 10) / 10 },
        manager: { before, after, progress },
        note: 'run with FLOWCAST_RESTART_MIN=0.1 and MAX=0.2: a recovery is the replacement of the worker (about 0.1 s of wait), not the default backoff (1 s, 2 s, 4 s …)',
      }) + '\n',
    );
  } finally {
    await serve.stop('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The current worker of a flow, once its "worker started" line is there. */
async function workerPid(serve: ReturnType<typeof startServe>, flow: string): Promise<number> {
  for (;;) {
    const pid = serve.workerPid(flow);
    if (pid && fs.existsSync(`/proc/${pid}`)) return pid;
    await new Promise((r) => setTimeout(r, 50));
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
