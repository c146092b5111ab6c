import http from 'node:http';
import net, { type Socket } from 'node:net';
import Koa from 'koa';
import { FlowcastError } from '../errors/flowcast-error';
import { MountTable } from './mount-table';
import { headEnd, parseRequestHead } from './request-head';

/** Enough for thousands of listeners connecting at once (the kernel caps it at somaxconn). */
const LISTEN_BACKLOG = 4096;
/** A request head must arrive whole within this time and size. */
const HEAD_TIMEOUT_MS = 10_000;
const HEAD_MAX_BYTES = 16 * 1024;


/**
 * One listening port shared by every mount on it. Like Flumotion's porter, it reads each request
 * head itself: a GET on a streaming mount gets the raw socket, everything else goes to Koa, which
 * routes it to the mount that owns the exact path.
 */
export class PortServer {
  readonly mounts = new MountTable();
  private readonly sockets = new Set<Socket>();
  private readonly server: net.Server;
  private readonly http: http.Server;

  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    const app = new Koa();
    app.use(async (ctx) => {
      const mounted = this.mounts.find(ctx.path);
      if (!mounted) {
        ctx.status = 404;
        ctx.body = `No stream is mounted at ${ctx.path}\n`;
        return;
      }
      ctx.respond = false;
      mounted.handler(ctx.req, ctx.res);
    });
    this.http = http.createServer(app.callback());
    this.server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          error.code === 'EADDRINUSE'
            ? new FlowcastError('FC_PORT_IN_USE', `port ${this.port} on ${this.host} is already in use`)
            : new FlowcastError('FC_PORT_IN_USE', `cannot listen on ${this.host}:${this.port}: ${error.message}`, { fix: 'Choose a port above 1024, or run with the rights to bind it' }),
        );
      };
      this.server.once('error', onError);
      this.server.listen({ port: this.port, host: this.host, backlog: LISTEN_BACKLOG }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Stop listening and drop every connection, including live streams that never end by themselves. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let received: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), HEAD_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const end = headEnd(received);
      if (end < 0 && received.length < HEAD_MAX_BYTES) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.pause();
      const head = end < 0 ? undefined : parseRequestHead(received.subarray(0, end - 4).toString('latin1'));
      const stream = head?.method === 'GET' ? this.mounts.find(head.path)?.stream : undefined;
      if (head && stream) {
        stream(socket, { ...head, remoteAddress: socket.remoteAddress ?? '-', remotePort: socket.remotePort ?? 0 });
        return;
      }
      // Everything else is Koa's: give the bytes back and let Node's HTTP server read them.
      socket.unshift(received);
      this.http.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', onData);
    socket.resume();
  }
}
