import http from 'node:http';
import type { Socket } from 'node:net';
import Koa from 'koa';
import type { MountHandler } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';

/** Enough for thousands of listeners connecting at once (the kernel caps it at somaxconn). */
const LISTEN_BACKLOG = 4096;

/**
 * One listening port shared by every mount on it. Koa routes the request to the mount that owns
 * the exact path; the mount's handler then owns the raw response.
 */
export class PortServer {
  readonly mounts = new Map<string, MountHandler>();
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;

  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    const app = new Koa();
    app.use(async (ctx) => {
      const handler = this.mounts.get(ctx.path);
      if (!handler) {
        ctx.status = 404;
        ctx.body = `No stream is mounted at ${ctx.path}\n`;
        return;
      }
      ctx.respond = false;
      handler(ctx.req, ctx.res);
    });
    this.server = http.createServer(app.callback());
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
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
}
