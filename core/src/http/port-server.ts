import http from 'node:http';
import type net from 'node:net';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import type { StreamRequest } from '../api/services';
import { Connection } from '../net/connection';
import { Door } from './door';
import type { FrontSettings } from './front-settings';
import type { FrontStats } from './front-stats';
import { listenPort } from './listen-port';
import { MountTable } from './mount-table';
import type { RequestHead } from './request-head';

/** A stream's request: the head the Door read, and the client's address asked of the connection only if wanted. */
class ArrivedRequest implements StreamRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly httpVersion: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    head: RequestHead,
    private readonly connection: Connection,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.path = head.path;
    this.httpVersion = head.httpVersion;
    this.headers = head.headers;
  }

  get remoteAddress(): string {
    return this.connection.remoteAddress;
  }

  get remotePort(): number {
    return this.connection.remotePort;
  }
}

/**
 * One listening port shared by every mount on it. Like Flumotion's porter, it reads each request
 * head itself (the Door): a GET on a streaming mount gets the connection, everything else goes to
 * Koa, which routes it to the mount that owns the path.
 *
 * A connection carries one request. Koa's answers close it (`Connection: close`), so every
 * request on this port passes the Door, with its deadlines and limits, and is routed by its own
 * path; a client that asks for a stream after a 404 gets it on its next connection. Keep-alive
 * would save a handshake on short requests, but it would let a request escape the Door.
 */
export class PortServer {
  readonly mounts = new MountTable();
  /** The Sockets made of this port's connections, closed with it (a connection without one is never held). */
  private readonly sockets = new Set<Socket>();
  private server?: net.Server;
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
    this.door = new Door(settings, stats, (connection, head, received) => this.dispatch(connection, head, received));
  }

  async listen(): Promise<void> {
    this.server = await listenPort(this.port, this.host, this.stats, {
      onConnection: (connection) => this.door.accept(connection),
      onSocket: (socket) => this.track(socket),
    });
  }

  /** Stop listening and drop every connection, including live streams that never end by themselves. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /**
   * Serve a connection accepted elsewhere whose head was already read and checked (a porter that
   * routes connections between processes): `received` holds every byte read from it so far.
   */
  serveAccepted(socket: Socket, head: RequestHead, received: Buffer): void {
    this.track(socket);
    this.dispatch(Connection.of(socket), head, received);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private dispatch(connection: Connection, head: RequestHead, received: Buffer): void {
    const mounted = this.mounts.find(head.path);
    // A stream handler may decline a request (false) without touching the connection: Koa serves it.
    if (head.method === 'GET' && mounted?.stream && mounted.stream(connection, new ArrivedRequest(head, connection)) !== false) return;
    this.serveThroughKoa(connection.socket(), received);
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
