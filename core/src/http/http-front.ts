import type { HttpService, Logger, Mount, MountOptions } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';
import { DEFAULT_FRONT_SETTINGS, type FrontSettings } from './front-settings';
import { FrontStats, type FrontCounters } from './front-stats';
import { OpenFiles } from './open-files';
import { PortServer } from './port-server';

const DEFAULT_HOST = '0.0.0.0';

export interface HttpFrontOptions {
  readonly logger: Logger;
  readonly settings?: FrontSettings;
}

/** The HTTP layer: opens a port when its first mount arrives and closes it with its last. */
export class HttpFront implements HttpService {
  private readonly ports = new Map<number, PortServer>();
  private readonly settings: FrontSettings;
  private readonly frontStats: FrontStats;
  private readonly openFiles: OpenFiles;

  constructor(options: HttpFrontOptions) {
    this.settings = options.settings ?? DEFAULT_FRONT_SETTINGS;
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
    if (!server) {
      server = new PortServer(options.port, host, this.settings, this.frontStats);
      this.ports.set(options.port, server);
      try {
        await server.listen();
      } catch (error) {
        this.ports.delete(options.port);
        throw error;
      }
      this.openFiles.watch(this.ports.size > 0);
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
        if (owner.mounts.size === 0 && this.ports.get(options.port) === owner) {
          this.ports.delete(options.port);
          this.openFiles.watch(this.ports.size > 0);
          await owner.close();
        }
      },
    };
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
