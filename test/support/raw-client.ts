import net from 'node:net';

/** What a raw client saw: the response (if any), and how and when the connection ended. */
export interface RawOutcome {
  status: number;
  head: string;
  headers: Map<string, string>;
  body: Buffer;
  /** The server closed or reset the connection (rather than the client giving up). */
  closedByServer: boolean;
  /** Milliseconds from connecting to the end. */
  elapsedMs: number;
}

export interface RawOptions {
  /** Give up (and close) after this long. */
  waitMs?: number;
  /** Stop once this many bytes arrived. */
  maxBytes?: number;
  /** Connect from this address (another loopback address stands for another host). */
  localAddress?: string;
  /** After the request, shut down the sending side (a half-close), as some clients do. */
  halfClose?: boolean;
  /** Write the request in pieces of this size, `dripMs` apart; keep sending `dripForever` after it. */
  dripBytes?: number;
  dripMs?: number;
  dripForever?: string;
}

/** Connect, send `request` as the options say, and read until the server closes or the wait ends. */
export function rawRequest(port: number, request: string | Buffer, options: RawOptions = {}): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ port, host: '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    let drip: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(drip);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks), closedByServer, Date.now() - started));
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 3000);
    socket.on('connect', () => {
      const bytes = Buffer.isBuffer(request) ? request : Buffer.from(request, 'latin1');
      if (!options.dripBytes) {
        socket.write(bytes);
        if (options.halfClose) socket.end();
        return;
      }
      let offset = 0;
      drip = setInterval(() => {
        if (socket.destroyed) return;
        if (offset < bytes.length) {
          socket.write(bytes.subarray(offset, offset + options.dripBytes!));
          offset += options.dripBytes!;
        } else if (options.dripForever) socket.write(options.dripForever);
      }, options.dripMs ?? 100);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (options.maxBytes !== undefined && length >= options.maxBytes) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

function parse(all: Buffer, closedByServer: boolean, elapsedMs: number): RawOutcome {
  const split = all.indexOf('\r\n\r\n');
  const head = split < 0 ? '' : all.toString('latin1', 0, split);
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  return { status, head, headers, body: split < 0 ? all : all.subarray(split + 4), closedByServer, elapsedMs };
}
