import type net from 'node:net';
import { loadNetAddon } from './native';

/**
 * How long the kernel keeps a connection that has sent nothing before handing it over anyway
 * (the front's head deadline then runs): one retransmission of the handshake's answer.
 */
const DEFER_SECONDS = 1;

/**
 * Have the kernel hand over a listening server's connections once their clients have sent
 * something (TCP_DEFER_ACCEPT, nginx's `listen … deferred`): the request head has then usually
 * arrived whole, and the Door answers it at once. A connection that says nothing waits in the
 * kernel, holding no descriptor, for a second before the Door sees it.
 */
export function acceptOnceDataArrives(server: net.Server): void {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd === 'number' && fd >= 0) loadNetAddon().deferAccept(fd, DEFER_SECONDS);
}
