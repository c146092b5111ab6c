import type { Socket } from 'node:net';
import type { HttpService, Logger, Mount, MountOptions } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';
import { DEFAULT_FRONT_SETTINGS, type FrontSettings } from './front-settings';
import { FrontStats, type FrontCounters } from './front-stats';
import { OpenFiles } from './open-files';
import { PortServer } from './port-server';
import { writeRawReply } from './raw-reply';
import type { RequestHead } from './request-head';

const DEFAULT_HOST = '0.0.0.0';

/** A mount as the porter routes it: which connections of its port belong to this process. */
export interface PortedMount {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly prefix: boolean;
}

/**
 * Under `flowcast serve` the manager (the porter) owns the listening sockets and reads each
 * request head; this process then serves the connections it is handed (`serveAccepted`).
 */
export interface PorterLink {
  /** Ask the porter to route this mount here; rejects with the reason (port in use, taken). */
  register(mount: PortedMount): Promise<void>;
  unregister(mount: PortedMount): void;
}

export interface HttpFrontOptions {
  readonly logger: Logger;
  readonly settings?: FrontSettings;
  /** Set under `flowcast serve`: the ports are the porter's, not opened here. */
  readonly porter?: PorterLink;
}

/** The HTTP layer: opens a port when its first mount arrives and closes it with its last. */
export class HttpFront implements HttpService {
  private readonly ports = new Map<number, PortServer>();
  private readonly settings: FrontSettings;
  private readonly frontStats: FrontStats;
  private readonly openFiles: OpenFiles;
  private readonly porter?: PorterLink;

  constructor(options: HttpFrontOptions) {
    this.settings = options.settings ?? DEFAULT_FRONT_SETTINGS;
    if (options.porter) this.porter = options.porter;
    const logger = options.logger.child({ component: 'http' });
    this.frontStats = new FrontStats(logger);
    this.openFiles = new OpenFiles(this.frontStats);
  }

  async mount(options: MountOptions): Promise<Mount> {
    const host = options.host ?? DEFAULT_HOST;
    let server = this.ports.get(options.port);
    if (server && server.host !== host) {
      throw new FlowcastError('FC_CLAIM_CONFLICT', `port ${options.port} is already served on ${server.host}, not ${host}`);
    }
    if (server?.mounts.has(options.path)) {
      throw new FlowcastError('FC_CLAIM_CONFLICT', `mount ${options.path} on port ${options.port} is already taken`);
    }
    const ported: PortedMount = { port: options.port, host, path: options.path, prefix: options.prefix === true };
    if (!server) {
      server = new PortServer(options.port, host, this.settings, this.frontStats);
      this.ports.set(options.port, server);
      try {
        if (!this.porter) await server.listen();
      } catch (error) {
        this.ports.delete(options.port);
        throw error;
      }
      this.openFiles.watch(this.ports.size > 0);
    }
    if (this.porter) {
      try {
        await this.porter.register(ported);
      } catch (error) {
        if (server.mounts.size === 0) this.ports.delete(options.port);
        throw error;
      }
    }
    server.mounts.set(options.path, {
      handler: options.handler,
      ...(options.stream ? { stream: options.stream } : {}),
      ...(options.prefix ? { prefix: true } : {}),
    });
    const owner = server;
    const visibleHost = host === DEFAULT_HOST || host === '::' ? '127.0.0.1' : host;
    return {
      url: `http://${visibleHost}:${options.port}${options.path}`,
      close: async () => {
        owner.mounts.delete(options.path);
        this.porter?.unregister(ported);
        if (owner.mounts.size === 0 && this.ports.get(options.port) === owner) {
          this.ports.delete(options.port);
          this.openFiles.watch(this.ports.size > 0);
          await owner.close();
        }
      },
    };
  }

  /**
   * A connection the porter accepted and read the head of, for a mount of this process on
   * `port`; `received` is every byte read from it so far. A mount gone meanwhile answers 404.
   */
  serveAccepted(port: number, socket: Socket, head: RequestHead, received: Buffer): void {
    const server = this.ports.get(port);
    if (!server) {
      writeRawReply(socket, 404, `No stream is mounted at ${head.path}\n`);
      return;
    }
    server.serveAccepted(socket, head, received);
  }

  /** The front's counters for the stats line: heads pending, timeouts, refusals, open files. */
  stats(): Readonly<FrontCounters> {
    return { ...this.frontStats.counters };
  }

  async closeAll(): Promise<void> {
    const servers = [...this.ports.values()];
    this.ports.clear();
    this.openFiles.watch(false);
    await Promise.all(servers.map((s) => s.close()));
  }
}
