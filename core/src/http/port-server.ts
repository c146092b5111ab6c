import http from 'node:http';
import net, { type Socket } from 'node:net';
import type Koa from 'koa';
import { FlowcastError } from '../errors/flowcast-error';
import { acceptOnceDataArrives } from '../net/defer-accept';
import { Door } from './door';
import type { FrontSettings } from './front-settings';
import type { FrontStats } from './front-stats';
import { MountTable } from './mount-table';
import type { RequestHead } from './request-head';

/** Enough for thousands of listeners connecting at once (the kernel caps it at somaxconn). */
const LISTEN_BACKLOG = 4096;

/**
 * One listening port shared by every mount on it. Like Flumotion's porter, it reads each request
 * head itself (the Door): a GET on a streaming mount gets the raw socket, everything else goes to
 * Koa, which routes it to the mount that owns the path.
 *
 * A connection carries one request. Koa's answers close it (`Connection: close`), so every
 * request on this port passes the Door, with its deadlines and limits, and is routed by its own
 * path; a client that asks for a stream after a 404 gets it on its next connection. Keep-alive
 * would save a handshake on short requests, but it would let a request escape the Door.
 */
export class PortServer {
  readonly mounts = new MountTable();
  private readonly sockets = new Set<Socket>();
  private readonly server: net.Server;
  /**
   * Node's HTTP server with Koa behind it, made at the first request that is not a stream's GET:
   * a flow process that only streams never loads Koa (about 5 MB of resident memory for its
   * whole life; bench/README.md, "An idle flow process").
   */
  private http?: http.Server;
  private readonly door: Door;
  /** The response Koa is giving on each connection, so the request deadline can see it started. */
  private readonly responses = new WeakMap<Socket, http.ServerResponse>();

  constructor(
    readonly port: number,
    readonly host: string,
    private readonly settings: FrontSettings,
    private readonly stats: FrontStats,
  ) {
    this.door = new Door(settings, stats, (socket, head, received) => this.dispatch(socket, head, received));
    // Half-open: a client that shuts down its sending side once its request is out still gets its answer.
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.accept(socket));
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
        acceptOnceDataArrives(this.server);
        // Accepting can fail later (EMFILE when every file descriptor is taken): say so, and go on.
        this.server.on('error', (error: NodeJS.ErrnoException) => this.stats.warn('accept', `cannot accept connections on port ${this.port}: ${error.message}`, { code: error.code }));
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

  /**
   * Serve a connection accepted elsewhere whose head was already read and checked (a porter that
   * routes connections between processes): `received` holds every byte read from it so far.
   */
  serveAccepted(socket: Socket, head: RequestHead, received: Buffer): void {
    this.track(socket);
    this.dispatch(socket, head, received);
  }

  private accept(socket: Socket): void {
    this.track(socket);
    this.door.accept(socket);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private dispatch(socket: Socket, head: RequestHead, received: Buffer): void {
    const mounted = this.mounts.find(head.path);
    // A stream handler may decline a request (false) without touching the socket: Koa serves it.
    if (head.method === 'GET' && mounted?.stream && mounted.stream(socket, { ...head, remoteAddress: socket.remoteAddress ?? '-', remotePort: socket.remotePort ?? 0 }) !== false) return;
    this.serveThroughKoa(socket, received);
  }

  private koaServer(): http.Server {
    if (this.http) return this.http;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const KoaApp = require('koa') as typeof Koa;
    const app = new KoaApp();
    app.use(async (ctx) => {
      ctx.res.shouldKeepAlive = false;
      this.responses.set(ctx.socket, ctx.res);
      const mounted = this.mounts.find(ctx.path);
      if (!mounted) {
        ctx.status = 404;
        ctx.body = `No stream is mounted at ${ctx.path}\n`;
        return;
      }
      ctx.respond = false;
      mounted.handler(ctx.req, ctx.res);
    });
    this.http = http.createServer({ maxHeaderSize: this.settings.maxHeadBytes }, app.callback());
    return this.http;
  }

  /**
   * Give the bytes back and let Node's HTTP server read them. The response must start within the
   * request timeout (a request that waits on a body sent a byte at a time does not), and then keep
   * moving: a client that stops reading it is cut after the send timeout.
   */
  private serveThroughKoa(socket: Socket, received: Buffer): void {
    const deadline = setTimeout(() => {
      if (this.responses.get(socket)?.headersSent) return;
      this.stats.counters.requestTimeouts++;
      this.stats.warn('request-timeout', 'connection closed: no response started in time', { client: socket.remoteAddress });
      socket.destroy();
    }, this.settings.requestTimeoutMs);
    socket.once('close', () => clearTimeout(deadline));
    socket.setTimeout(this.settings.sendTimeoutMs, () => {
      this.stats.counters.requestTimeouts++;
      socket.destroy();
    });
    socket.unshift(received);
    this.koaServer().emit('connection', socket);
    socket.resume();
  }
}
