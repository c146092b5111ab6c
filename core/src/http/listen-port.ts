import net, { type Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { FlowcastError } from '../errors/flowcast-error';
import { Connection, type TcpHandle } from '../net/connection';
import { acceptOnceDataArrives } from '../net/defer-accept';
import type { FrontStats } from './front-stats';

/** Enough for thousands of listeners connecting at once (the kernel caps it at somaxconn). */
const LISTEN_BACKLOG = 4096;

export interface PortListeners {
  /** Each accepted connection, with no Socket made for it yet. */
  onConnection(connection: Connection): void;
  /** Each Socket made of an accepted connection, to be closed with the port. */
  onSocket(socket: Socket): void;
}

/**
 * Listen on a port of the HTTP front (a flow's, or the porter's for every flow) and pass on each
 * accepted connection as a Connection: the head is read and most answers given from the
 * descriptor, and Node makes a Socket (which costs as much as the kernel's accept and close
 * together) only for the connections that need one.
 */
export function listenPort(port: number, host: string, stats: FrontStats, listeners: PortListeners): Promise<net.Server> {
  // Half-open: a client that shuts down its sending side once its request is out still gets its answer.
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new FlowcastError('FC_PORT_IN_USE', `port ${port} on ${host} is already in use`)
          : new FlowcastError('FC_PORT_IN_USE', `cannot listen on ${host}:${port}: ${error.message}`, { fix: 'Choose a port above 1024, or run with the rights to bind it' }),
      );
    };
    server.once('error', onError);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      acceptOnceDataArrives(server);
      takeConnections(server, listeners);
      // Accepting can fail later (EMFILE when every file descriptor is taken): say so, and go on.
      server.on('error', (error: NodeJS.ErrnoException) => stats.warn('accept', `cannot accept connections on port ${port}: ${error.message}`, { code: error.code }));
      resolve(server);
    });
  });
}

/**
 * Take each connection from the listening handle as libuv accepted it, in place of Node's
 * `onconnection`, which would make a Socket of it at once. Should a later Node not have that
 * hook, its Sockets are taken as they come: slower, and the same behaviour.
 */
function takeConnections(server: net.Server, listeners: PortListeners): void {
  const handle = (server as unknown as { _handle?: { onconnection?: unknown } })._handle;
  if (!handle || typeof handle.onconnection !== 'function') {
    server.on('connection', (socket: Socket) => {
      socket.on('error', () => socket.destroy());
      listeners.onSocket(socket);
      listeners.onConnection(Connection.of(socket));
    });
    return;
  }
  handle.onconnection = (status: number, client: TcpHandle | undefined): void => {
    if (status < 0 || !client) {
      server.emit('error', Object.assign(new Error(`accept failed: ${getSystemErrorName(status)}`), { code: getSystemErrorName(status), errno: status }));
      return;
    }
    listeners.onConnection(Connection.accepted(client, listeners.onSocket));
  };
}
