import type net from 'node:net';
import type { Socket } from 'node:net';
import type { Logger } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';
import { Door } from '../http/door';
import type { FrontSettings } from '../http/front-settings';
import { FrontStats, type FrontCounters } from '../http/front-stats';
import type { PortedMount } from '../http/http-front';
import { listenPort } from '../http/listen-port';
import { MountTable } from '../http/mount-table';
import { writeRawReply } from '../http/raw-reply';
import type { RequestHead } from '../http/request-head';
import type { Connection } from '../net/connection';

/** What a client is told to wait before trying a mount whose flow is restarting. */
const RETRY_AFTER_S = '5';

interface Route {
  readonly flow: string;
  readonly prefix: boolean;
}

interface PortEntry {
  readonly host: string;
  readonly server: net.Server;
  readonly routes: MountTable<Route>;
  readonly sockets: Set<Socket>;
}

/**
 * Hands a connection to the worker that serves it; false when that flow cannot take it now
 * (its worker is being replaced), and the porter answers 503 instead.
 */
export type HandOver = (flow: string, port: number, socket: Socket, head: RequestHead, received: Buffer) => boolean;

/**
 * Flumotion's porter: the manager owns the listening sockets of every flow, so flows share ports.
 * Each connection passes the front door here (head deadline, limits, per-address cap: the same
 * Door as `flowcast run`'s), is routed by its path to the flow that mounted it, and its socket
 * is passed to that flow's worker with the bytes already read. A mount whose flow is restarting
 * answers 503 with Retry-After rather than refusing the connection.
 */
export class Porter {
  private readonly ports = new Map<number, PortEntry>();
  private readonly stats: FrontStats;

  constructor(
    private readonly settings: FrontSettings,
    logger: Logger,
    private readonly handOver: HandOver,
  ) {
    this.stats = new FrontStats(logger.child({ component: 'porter' }));
  }

  counters(): Readonly<FrontCounters> {
    return { ...this.stats.counters };
  }

  /** Route `mount`'s connections to `flow`, opening its port if need be. */
  async register(flow: string, mount: PortedMount): Promise<void> {
    let entry = this.ports.get(mount.port);
    if (entry && entry.host !== mount.host) {
      const other = [...entry.routes.entries()][0]?.[1].flow;
      throw new FlowcastError('FC_CLAIM_CONFLICT', `port ${mount.port} is served on ${entry.host}${other ? ` (flow "${other}")` : ''}, not on ${mount.host}`, {
        fix: 'Give streams on one port the same bind-address, or use another port',
      });
    }
    const holder = entry?.routes.get(mount.path);
    if (holder && holder.flow !== flow) {
      throw new FlowcastError('FC_CLAIM_CONFLICT', `mount ${mount.path} on port ${mount.port} is already served by flow "${holder.flow}"`);
    }
    if (!entry) {
      entry = await this.open(mount.port, mount.host);
      this.ports.set(mount.port, entry);
    }
    entry.routes.set(mount.path, { flow, prefix: mount.prefix });
  }

  unregister(flow: string, mount: PortedMount): void {
    const entry = this.ports.get(mount.port);
    if (entry?.routes.get(mount.path)?.flow !== flow) return;
    entry.routes.delete(mount.path);
    if (entry.routes.size === 0) this.close(mount.port);
  }

  /** The flow is stopped for good (its file was removed or changed): its mounts go. */
  release(flow: string): void {
    for (const [port, entry] of [...this.ports]) {
      for (const [path, route] of [...entry.routes.entries()]) if (route.flow === flow) entry.routes.delete(path);
      if (entry.routes.size === 0) this.close(port);
    }
  }

  closeAll(): void {
    for (const port of [...this.ports.keys()]) this.close(port);
  }

  private async open(port: number, host: string): Promise<PortEntry> {
    const sockets = new Set<Socket>();
    const door = new Door(this.settings, this.stats, (connection, head, received) => this.route(port, connection, head, received));
    const server = await listenPort(port, host, this.stats, {
      onConnection: (connection) => door.accept(connection),
      onSocket: (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      },
    });
    return { host, server, routes: new MountTable<Route>(), sockets };
  }

  private close(port: number): void {
    const entry = this.ports.get(port);
    if (!entry) return;
    this.ports.delete(port);
    entry.server.close();
    for (const socket of entry.sockets) socket.destroy();
  }

  private route(port: number, connection: Connection, head: RequestHead, received: Buffer): void {
    const entry = this.ports.get(port);
    const route = entry?.routes.find(head.path);
    // The socket goes to the worker over the manager's channel, which passes Node sockets.
    const socket = connection.socket();
    if (!entry || !route) {
      writeRawReply(socket, 404, `No stream is mounted at ${head.path}\n`);
      return;
    }
    // From here the socket is the worker's: the manager keeps no handle on it.
    entry.sockets.delete(socket);
    if (!this.handOver(route.flow, port, socket, head, received)) {
      entry.sockets.add(socket);
      writeRawReply(socket, 503, `The flow serving ${head.path} is restarting; try again in a few seconds\n`, { 'Retry-After': RETRY_AFTER_S });
    }
  }
}
