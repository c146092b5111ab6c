/**
 * `node bench/dist/src/head-readers.js`: what reading request heads costs, Flowcast's front door
 * (core/src/http: its own head reader, then the socket handed over) against Node's own HTTP server
 * (llhttp, `http.Server` listening for real), each in a process of its own:
 *
 *   - CPU per 1000 requests: 20,000 GETs, 64 at a time, each answered with one byte and closed;
 *   - memory per connection whose head is still arriving: 5,000 connections holding half a head.
 *
 * The figures decide which reads the heads (issue 12); bench/README.md, "Head readers".
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import { cpuSeconds, rssBytes } from './proc';
import { freePort, sleep } from './util';

const REQUESTS = 20_000;
const CONCURRENCY = 64;
const HELD = 5_000;

type Kind = 'door' | 'llhttp';

/** The server side, in a child process: answer every GET with one byte, then close. */
async function serve(kind: Kind, port: number): Promise<void> {
  if (kind === 'door') {
    // Core's own build, as the flowcast command loads it (the bench compiles apart from core).
    interface Front {
      mount(options: object): Promise<unknown>;
    }
    const core = (path: string): Record<string, unknown> => require(`../../../core/dist/src/${path}`) as Record<string, unknown>;
    const { HttpFront } = core('http/http-front') as { HttpFront: new (options: object) => Front };
    const { createLogger } = core('log/logger') as { createLogger: (options: object) => object };
    const { DEFAULT_FRONT_SETTINGS } = core('http/front-settings') as { DEFAULT_FRONT_SETTINGS: object };
    // Every held connection comes from 127.0.0.1: no per-address or total limit here, as for llhttp.
    const settings = { ...DEFAULT_FRONT_SETTINGS, maxPendingPerAddress: 1e9, maxPending: 1e9 };
    const front = new HttpFront({ logger: createLogger({ format: 'json', level: 'error', sink: { write: () => {} } }), settings });
    await front.mount({
      port,
      host: '127.0.0.1',
      path: '/live.ogg',
      handler: (_request: unknown, response: { end(text: string): void }) => response.end('x'),
      stream: (socket: net.Socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: application/ogg\r\n\r\nx'),
    });
  } else {
    const http = await import('node:http');
    const server = http.createServer({ keepAlive: false }, (_request, response) => {
      response.shouldKeepAlive = false;
      response.writeHead(200, { 'Content-Type': 'application/ogg' }).end('x');
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen({ port, host: '127.0.0.1', backlog: 4096 }, resolve));
  }
  // Memory is read after a full collection, asked for by the parent, so garbage does not count.
  process.on('message', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ heapUsed, external, arrayBuffers });
  });
  process.send?.('ready');
}

interface Heap {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Collect the child's garbage; its V8 heap and external memory after. */
function collect(child: ReturnType<typeof fork>): Promise<Heap> {
  return new Promise((resolve) => {
    child.once('message', (heap) => resolve(heap as Heap));
    child.send('gc');
  });
}

function request(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('GET /live.ogg HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n'));
    let got = '';
    socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
    socket.on('close', () => (got.startsWith('HTTP/1.') ? resolve() : reject(new Error(`no answer: ${JSON.stringify(got.slice(0, 80))}`))));
    socket.on('error', reject);
  });
}

interface Figures {
  cpuMsPer1000: number;
  /** RSS, and the V8 heap plus external memory (Buffers), per connection holding half a head. */
  rssPerHeldHead: number;
  heapPerHeldHead: number;
}

async function measure(kind: Kind): Promise<Figures> {
  const port = await freePort();
  const child = fork(__filename, ['serve', kind, String(port)], { stdio: 'inherit', execArgv: ['--expose-gc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  await sleep(1000);
  const pid = child.pid!;

  const cpu0 = cpuSeconds(pid);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        await request(port);
      }
    }),
  );
  const cpuMsPer1000 = ((cpuSeconds(pid) - cpu0) * 1000 * 1000) / REQUESTS;

  await sleep(2000);
  const heap0 = await collect(child);
  const rss0 = rssBytes(pid);
  const held: net.Socket[] = [];
  for (let i = 0; i < HELD; i++) {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('GET /live.ogg HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: a'));
    socket.on('error', () => undefined);
    held.push(socket);
    if (i % 500 === 499) await sleep(50);
  }
  await sleep(2000);
  const heap1 = await collect(child);
  const rssPerHeldHead = (rssBytes(pid) - rss0) / HELD;
  const heapPerHeldHead = (heap1.heapUsed + heap1.external - heap0.heapUsed - heap0.external) / HELD;
  for (const socket of held) socket.destroy();
  child.kill('SIGKILL');
  return { cpuMsPer1000, rssPerHeldHead, heapPerHeldHead };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve(process.argv[3] as Kind, Number(process.argv[4]));
  const results: Record<string, Figures> = {};
  // Twice each, alternating: the second pair shows how far the figures move by themselves.
  for (const round of [1, 2]) {
    for (const kind of ['door', 'llhttp'] as const) {
      const r = await measure(kind);
      results[`${kind} #${round}`] = r;
      process.stdout.write(
        `${kind} #${round}: ${r.cpuMsPer1000.toFixed(1)} ms CPU per 1000 requests; per connection holding half a head: V8 heap + external ${(r.heapPerHeldHead / 1024).toFixed(2)} KiB, RSS ${(r.rssPerHeldHead / 1024).toFixed(2)} KiB\n`,
      );
    }
  }
}

void main();
