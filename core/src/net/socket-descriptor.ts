import type { Socket } from 'node:net';

/** The descriptor of a Node socket, when it has one (a TCP socket on Linux). */
export function socketDescriptor(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
