/**
 * The load client: a separate Node process that opens many HTTP GET connections to a stream with
 * plain sockets (a minimal request, no http.Agent), reads and discards the data while counting
 * bytes per connection, and prints JSON lines on stdout: progress events, then one
 * `{"event":"result", …}` line.
 *
 *   node load-client.js '{"mode":"hold","url":"http://127.0.0.1:8000/live.ogg","n":1000,…}'
 *
 * Modes:
 *   hold     ramp N listeners (bounded rate and connects in flight), settle, hold a window: held,
 *            dropped, failed, body bytes per listener per second during the window
 *   burst    K connects fired at once: how many got data within a time limit, how the others failed
 *   latency  M new listeners one after another: connect → first body byte, p50/p99
 *   stall    one listener reads the headers, then stops reading: time until the server lets go of
 *            the connection (its socket leaves the server process, seen with ss or /proc/net/tcp),
 *            from its last read and from the first byte it left unread
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

interface HoldParams {
  mode: 'hold';
  url: string;
  n: number;
  /** New connections per second during the ramp. */
  rate: number;
  /** At most this many TCP handshakes in flight during the ramp. */
  maxConnecting: number;
  settleMs: number;
  holdMs: number;
  /** A listener without a first body byte this long after its connect() counts as failed. */
  readyTimeoutMs: number;
  streamBytesPerSecond: number;
  /** How each listener reads (Reader); onread when absent. */
  reader?: Reader;
  /**
   * After the window, keep the listeners this long more, or until SIGUSR2 (the orchestrator
   * measures new listeners' first byte against a loaded server meanwhile); 0 or absent: none.
   */
  lingerMs?: number;
}
/**
 * How a listener reads. `onread`: into one buffer shared by every listener, no allocation per
 * read (the cheapest a Node client can be). `data`: a plain 'data' handler, a new Buffer per read,
 * as most Node programs and players built on streams read.
 */
type Reader = 'onread' | 'data';

interface BurstParams {
  mode: 'burst';
  url: string;
  k: number;
  timeoutMs: number;
}
interface LatencyParams {
  mode: 'latency';
  url: string;
  m: number;
  gapMs: number;
  timeoutMs: number;
}
interface StallParams {
  mode: 'stall';
  url: string;
  maxWaitMs: number;
  pollMs: number;
}
type Params = HoldParams | BurstParams | LatencyParams | StallParams;

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const emit = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
const round = (x: number | null, digits = 1): number | null => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

function count(reasons: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const reason of reasons) out[reason] = (out[reason] ?? 0) + 1;
  return out;
}

/** Every listener reads into this one buffer: the data is counted, never kept. */
const SHARED = Buffer.allocUnsafe(256 * 1024);

interface Target {
  host: string;
  port: number;
  request: string;
}

function target(url: string): Target {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), request: `GET ${u.pathname} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: flowcast-bench\r\nIcy-MetaData: 0\r\n\r\n` };
}

/** One listener on a plain socket; it never keeps the data it reads. */
class Listener {
  readonly socket: net.Socket;
  readonly startedAt = now();
  connectedAt = 0;
  firstByteAt = 0;
  closedAt = 0;
  status = 0;
  /** Body bytes read so far. */
  bytes = 0;
  /** Why it ended: an errno code, "eof" (the server closed it), "http NNN", "timeout", "client". */
  endReason = '';
  private head = '';
  private headerDone = false;

  constructor(
    t: Target,
    private readonly hooks: { onConnect?: (l: Listener) => void; onFirstByte?: (l: Listener) => void; onEnd?: (l: Listener) => void } = {},
    reader: Reader = 'onread',
  ) {
    if (reader === 'data') {
      this.socket = net.connect({ host: t.host, port: t.port });
      this.socket.on('data', (chunk: Buffer) => this.onRead(chunk.length, chunk));
    } else {
      this.socket = net.connect({
        host: t.host,
        port: t.port,
        onread: { buffer: SHARED, callback: (nread: number, buffer: Uint8Array) => this.onRead(nread, buffer as Buffer) },
      });
    }
    this.socket.on('connect', () => {
      this.connectedAt = now();
      this.socket.write(t.request);
      this.hooks.onConnect?.(this);
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.endReason) this.endReason = error.code ?? error.message;
    });
    this.socket.on('close', () => this.ended());
  }

  get open(): boolean {
    return this.closedAt === 0;
  }

  get connecting(): boolean {
    return this.connectedAt === 0 && this.closedAt === 0;
  }

  /** Close it from the client side with a reason (timeout, end of the test). */
  close(reason: string): void {
    if (!this.endReason) this.endReason = reason;
    this.socket.destroy();
  }

  private onRead(nread: number, buffer: Buffer): boolean {
    if (this.headerDone) {
      this.bytes += nread;
      if (this.firstByteAt === 0) this.noteBody();
      return true;
    }
    this.head += buffer.toString('latin1', 0, nread);
    const end = this.head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.head.length > 16384) this.close('bad-header');
      return true;
    }
    this.headerDone = true;
    this.status = Number(/^(?:HTTP\/\d\.\d|ICY) (\d{3})/.exec(this.head)?.[1] ?? 0);
    const body = this.head.length - (end + 4);
    this.head = '';
    if (this.status !== 200) {
      this.close(`http ${this.status}`);
      return false;
    }
    this.bytes += body;
    this.noteBody();
    return true;
  }

  /** Called after the header; the first body byte may come with it or later. */
  private noteBody(): void {
    if (this.firstByteAt === 0 && this.bytes > 0) {
      this.firstByteAt = now();
      this.hooks.onFirstByte?.(this);
    }
  }

  private ended(): void {
    if (this.closedAt) return;
    this.closedAt = now();
    if (!this.endReason) this.endReason = this.firstByteAt ? 'eof' : 'eof-before-data';
    this.hooks.onEnd?.(this);
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

async function hold(p: HoldParams): Promise<object> {
  const t = target(p.url);
  const listeners: Listener[] = [];
  let connecting = 0;
  const rampStart = now();
  const rampLimitMs = (p.n / p.rate) * 1000 * 3 + p.readyTimeoutMs;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = now() - rampStart;
      const allowed = Math.min(p.n, Math.floor((p.rate * elapsed) / 1000) + 1);
      while (listeners.length < allowed && connecting < p.maxConnecting) {
        connecting++;
        const release = (): void => {
          connecting--;
        };
        let released = false;
        const once = (): void => {
          if (!released) {
            released = true;
            release();
          }
        };
        listeners.push(new Listener(t, { onConnect: once, onEnd: once }, p.reader));
      }
      if (listeners.length >= p.n || elapsed > rampLimitMs) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const opened = listeners.length;
  // Wait until every listener has its first byte or has ended; late ones count as failed.
  await waitFor(() => listeners.every((l) => l.firstByteAt > 0 || !l.open), p.readyTimeoutMs, 50);
  for (const l of listeners) if (l.open && l.firstByteAt === 0) l.close('timeout');
  const rampMs = now() - rampStart;
  emit({ event: 'ramped', opened, rampMs: Math.round(rampMs) });

  await sleep(p.settleMs);
  const live = listeners.filter((l) => l.open && l.firstByteAt > 0);
  const b0 = new Map(live.map((l) => [l, l.bytes]));
  const cpu0 = process.cpuUsage();
  const w0 = now();
  emit({ event: 'window-start', listeners: live.length });
  await sleep(p.holdMs);
  const windowS = (now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  emit({ event: 'window-end' });

  const connected = listeners.filter((l) => l.firstByteAt > 0);
  const failed = listeners.filter((l) => l.firstByteAt === 0);
  const dropped = connected.filter((l) => !l.open);
  const droppedInWindow = dropped.filter((l) => l.closedAt >= w0);
  const held = connected.filter((l) => l.open);
  const rates = held.map((l) => (l.bytes - (b0.get(l) ?? l.bytes)) / windowS);
  const starved = rates.filter((r) => r === 0).length;
  const mean = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null;
  const result = {
    event: 'result',
    mode: 'hold',
    target: p.n,
    opened,
    connected: connected.length,
    failed: failed.length,
    failReasons: count(failed.map((l) => l.endReason || 'unknown')),
    dropped: dropped.length,
    droppedInWindow: droppedInWindow.length,
    dropReasons: count(dropped.map((l) => l.endReason)),
    held: held.length,
    starved,
    rampS: round(rampMs / 1000, 2),
    windowS: round(windowS, 2),
    bytesPerSecond: { mean: round(mean), p1: round(percentile(rates, 1)), p5: round(percentile(rates, 5)), p50: round(percentile(rates, 50)), min: round(percentile(rates, 0)), max: round(percentile(rates, 100)) },
    ratioToStream: round(mean === null ? null : mean / p.streamBytesPerSecond, 3),
    ratioToStreamP1: round((percentile(rates, 1) ?? Number.NaN) / p.streamBytesPerSecond, 3),
    firstByteMs: { p50: round(percentile(connected.map((l) => l.firstByteAt - l.startedAt), 50)), p99: round(percentile(connected.map((l) => l.firstByteAt - l.startedAt), 99)) },
    clientCpuPercent: round((100 * (cpu.user + cpu.system)) / 1e6 / windowS),
    clientRssMB: round(process.memoryUsage().rss / 1048576),
    reader: p.reader ?? 'onread',
  };
  if (p.lingerMs) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, p.lingerMs);
      process.once('SIGUSR2', () => {
        clearTimeout(timer);
        resolve();
      });
      emit({ event: 'linger-start', listeners: held.length });
    });
    (result as { heldAfterLinger?: number }).heldAfterLinger = held.filter((l) => l.open).length;
  }
  for (const l of listeners) l.close('client');
  return result;
}

async function burst(p: BurstParams): Promise<object> {
  const t = target(p.url);
  const start = now();
  const listeners: Listener[] = [];
  for (let i = 0; i < p.k; i++) listeners.push(new Listener(t));
  await waitFor(() => listeners.every((l) => l.firstByteAt > 0 || !l.open), p.timeoutMs, 20);
  const elapsedMs = now() - start;
  const ok = listeners.filter((l) => l.firstByteAt > 0);
  const notOk = listeners.filter((l) => l.firstByteAt === 0);
  const pending = notOk.filter((l) => l.open);
  const reasons = count(notOk.map((l) => (l.open ? (l.connectedAt ? 'timeout-no-data' : 'timeout-connecting') : l.endReason)));
  const times = ok.map((l) => l.firstByteAt - l.startedAt);
  const result = {
    event: 'result',
    mode: 'burst',
    fired: p.k,
    succeeded: ok.length,
    failed: notOk.length,
    pendingAtLimit: pending.length,
    reasons,
    reset: notOk.filter((l) => !l.open && (l.endReason === 'ECONNRESET' || l.endReason === 'EPIPE')).length,
    refused: notOk.filter((l) => !l.open && l.endReason === 'ECONNREFUSED').length,
    limitS: p.timeoutMs / 1000,
    elapsedS: round(elapsedMs / 1000, 2),
    firstByteMs: { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), max: round(percentile(times, 100)) },
    over1s: times.filter((x) => x > 1000).length,
  };
  for (const l of listeners) l.close('client');
  return result;
}

async function latency(p: LatencyParams): Promise<object> {
  const t = target(p.url);
  const times: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < p.m; i++) {
    const l = new Listener(t);
    await waitFor(() => l.firstByteAt > 0 || !l.open, p.timeoutMs, 1);
    if (l.firstByteAt > 0) times.push(l.firstByteAt - l.startedAt);
    else failures.push(l.open ? 'timeout' : l.endReason);
    l.close('client');
    await sleep(p.gapMs);
  }
  return {
    event: 'result',
    mode: 'latency',
    listeners: p.m,
    measured: times.length,
    failures: count(failures),
    firstByteMs: { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), min: round(percentile(times, 0)), max: round(percentile(times, 100)) },
  };
}

interface TcpRow {
  state: string;
  txQueue: number;
  rxQueue: number;
  inode: string;
}

let ssMissing = false;

/**
 * The TCP socket with local port `local` and remote port `remote` on 127.0.0.1. Asks `ss` (netlink,
 * filtered in the kernel: cheap even with 20000 sockets open) and falls back to reading
 * /proc/net/tcp. Inode 0 means no process owns the socket any more (closed, orphaned, time-wait).
 */
function tcpRow(local: number, remote: number): TcpRow | undefined {
  if (!ssMissing) {
    const ss = spawnSync('ss', ['-tnHe', 'state', 'all', `( sport = :${local} and dport = :${remote} )`], { encoding: 'utf8', timeout: 5000 });
    if (ss.status === 0) {
      const line = ss.stdout.split('\n').find((l) => l.trim());
      if (!line) return undefined;
      const f = line.trim().split(/\s+/);
      return { state: f[0] ?? '', rxQueue: Number(f[1]), txQueue: Number(f[2]), inode: /\bino:(\d+)/.exec(line)?.[1] ?? '0' };
    }
    ssMissing = true;
  }
  const hex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
  const want = `0100007F:${hex(local)}`;
  const peer = `0100007F:${hex(remote)}`;
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === want && f[2] === peer) {
      const [tx, rx] = (f[4] ?? '0:0').split(':');
      return { state: f[3] ?? '', txQueue: parseInt(tx ?? '0', 16), rxQueue: parseInt(rx ?? '0', 16), inode: f[9] ?? '0' };
    }
  }
  return undefined;
}

/**
 * A stalled listener: it reads the response headers (and what came with them), then never reads
 * again. It reads through `onread`, so that stopping stops the reads from the kernel at once (a
 * paused Node stream goes on reading up to its highWaterMark, 16 KiB, into memory). Node cannot
 * set SO_RCVBUF on a TCP socket; a socket that stops reading keeps the kernel's initial receive
 * buffer (tcp_rmem[1]), since Linux grows it only as the application reads.
 *
 * Two times to the drop: from its last read, and from the first byte it left unread (its own
 * kernel holds data it does not take). A listener that stops when it has read everything sent is
 * behind nothing until the stream's next data comes; from then on it falls behind.
 * The server has let go of the listener when its end of the connection has no owning process any
 * more (inode 0 or gone, per `ss` or /proc/net/tcp: closed, orphaned or reset), checked every pollMs.
 */
async function stall(p: StallParams): Promise<object> {
  const u = new URL(p.url);
  const serverPort = Number(u.port);
  let head = '';
  let readBeforeStall = 0;
  let clientEvent = '';
  let headersRead: () => void = () => undefined;
  const socket = net.connect({
    host: u.hostname,
    port: serverPort,
    onread: {
      buffer: Buffer.alloc(64 * 1024),
      callback: (n: number, buffer: Uint8Array): boolean => {
        readBeforeStall += n;
        head += Buffer.from(buffer.buffer, buffer.byteOffset, n).toString('latin1');
        if (head.indexOf('\r\n\r\n') < 0) return true;
        headersRead();
        return false; // pauses the socket: no more reads from the kernel
      },
    },
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    clientEvent ||= error.code ?? error.message;
  });
  socket.on('close', () => {
    clientEvent ||= 'closed';
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no response headers within 10 s')), 10000);
    socket.on('connect', () => socket.write(`GET ${u.pathname} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: flowcast-bench-stall\r\n\r\n`));
    headersRead = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const localPort = socket.localPort as number;
  const stalledAt = now();
  emit({ event: 'stalled', localPort });
  let firstUnreadAt: number | null = null;
  let maxServerSendQueue = 0;
  let lastServer: TcpRow | undefined;
  let releasedAt: number | null = null;
  let how = '';
  while (now() - stalledAt < p.maxWaitMs) {
    // The client's end is looked at often until data waits in it; then only the server's end.
    if (firstUnreadAt === null && (tcpRow(localPort, serverPort)?.rxQueue ?? 0) > 0) firstUnreadAt = now();
    const server = tcpRow(serverPort, localPort);
    if (!server || server.inode === '0') {
      releasedAt = now();
      how = server ? `server socket orphaned (state ${server.state}, ${server.txQueue} bytes unsent)` : 'server socket gone';
      break;
    }
    lastServer = server;
    maxServerSendQueue = Math.max(maxServerSendQueue, server.txQueue);
    await sleep(firstUnreadAt === null ? 10 : p.pollMs);
  }
  const lastClient = tcpRow(localPort, serverPort);
  socket.destroy();
  const seconds = (ms: number): number | null => round(ms / 1000, 1);
  return {
    event: 'result',
    mode: 'stall',
    released: releasedAt !== null,
    releasedAfterS: releasedAt === null ? null : seconds(releasedAt - stalledAt),
    firstUnreadAfterS: firstUnreadAt === null ? null : round((firstUnreadAt - stalledAt) / 1000, 2),
    releasedAfterUnreadS: releasedAt === null || firstUnreadAt === null ? null : seconds(releasedAt - firstUnreadAt),
    limitS: p.maxWaitMs / 1000,
    how,
    readBeforeStall,
    maxServerSendQueue,
    lastServerSendQueue: lastServer?.txQueue ?? null,
    clientRecvQueue: lastClient?.rxQueue ?? null,
    clientEvent,
  };
}

async function main(): Promise<void> {
  const p = JSON.parse(process.argv[2] ?? '{}') as Params;
  let result: object;
  switch (p.mode) {
    case 'hold':
      result = await hold(p);
      break;
    case 'burst':
      result = await burst(p);
      break;
    case 'latency':
      result = await latency(p);
      break;
    case 'stall':
      result = await stall(p);
      break;
    default:
      throw new Error(`unknown mode ${JSON.stringify((p as { mode?: unknown }).mode)}`);
  }
  emit(result);
  process.exit(0);
}

main().catch((error: Error) => {
  emit({ event: 'error', message: error.message });
  process.exit(1);
});
