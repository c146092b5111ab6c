import type { HttpService, Mount, MountOptions } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';
import { PortServer } from './port-server';

const DEFAULT_HOST = '0.0.0.0';

/** The HTTP layer: opens a port when its first mount arrives and closes it with its last. */
export class HttpFront implements HttpService {
  private readonly ports = new Map<number, PortServer>();

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
      server = new PortServer(options.port, host);
      this.ports.set(options.port, server);
      try {
        await server.listen();
      } catch (error) {
        this.ports.delete(options.port);
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
        if (owner.mounts.size === 0 && this.ports.get(options.port) === owner) {
          this.ports.delete(options.port);
          await owner.close();
        }
      },
    };
  }

  async closeAll(): Promise<void> {
    const servers = [...this.ports.values()];
    this.ports.clear();
    await Promise.all(servers.map((s) => s.close()));
  }
}
