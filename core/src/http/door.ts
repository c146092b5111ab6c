import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { loadNetAddon } from '../net/native';
import { socketDescriptor } from '../net/socket-descriptor';
import { clientKey } from './client-key';
import type { FrontSettings } from './front-settings';
import type { FrontStats } from './front-stats';
import { writeRawReply } from './raw-reply';
import { scanRequestHead, type HeadScan, type RequestHead } from './request-head';

/** What the door passes on: the connection, its parsed head, and every byte read so far. */
export type HeadArrived = (socket: Socket, head: RequestHead, received: Buffer) => void;

const LF = 0x0a;
const EAGAIN = constants.errno.EAGAIN;
/** While no line has ended, the first bytes are checked at once, so garbage is answered at once. */
const EARLY_CHECK_BYTES = 32;

/**
 * Every connection comes in here and leaves with a whole request head, or is closed. Its head
 * must arrive within the head timeout and its limits, whatever the client does: a head that
 * grows forever, one byte every few seconds, or nothing at all. One address may have only so
 * many heads arriving at once, so one host cannot take every file descriptor.
 */
export class Door {
  private readonly pendingByAddress = new Map<string, number>();
  /** How to close each connection whose head is still arriving, oldest first. */
  private readonly pending = new Set<() => void>();

  private readonly addon = loadNetAddon();
  /** Where readArrived reads: one more byte than a head may have, so that too long shows at once. */
  private readonly firstBytes: Buffer;

  constructor(
    private readonly settings: FrontSettings,
    private readonly stats: FrontStats,
    private readonly onHead: HeadArrived,
  ) {
    this.firstBytes = Buffer.allocUnsafe(settings.maxHeadBytes + 1);
  }

  accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    const address = socket.remoteAddress ?? '-';
    const key = clientKey(address);
    const pending = this.pendingByAddress.get(key) ?? 0;
    if (pending >= this.settings.maxPendingPerAddress) {
      this.stats.counters.refusedConnections++;
      this.stats.warn('refused', 'connection refused: too many requests arriving at once from one address', { client: address, pending });
      socket.resetAndDestroy();
      return;
    }
    const first = this.readArrived(socket);
    if (first === 'closed') {
      socket.destroy();
      return;
    }
    if (first) {
      // Usually the whole head is there already: it is answered now, with no reading, timer or listener set up.
      const scan = scanRequestHead(first, this.settings);
      if (scan.kind !== 'incomplete') return this.pass(socket, address, scan, first);
    }
    if (this.pending.size >= this.settings.maxPending) this.evictOldest();
    this.pendingByAddress.set(key, pending + 1);
    this.stats.headStarted();
    this.readHead(socket, address, key, first);
  }

  /**
   * What the connection has sent so far, read at once without waiting (Node has not started
   * reading it: the port server pauses new connections): undefined when nothing has come yet or
   * the socket has no descriptor, 'closed' when the client has already gone.
   */
  private readArrived(socket: Socket): Buffer | 'closed' | undefined {
    const fd = socketDescriptor(socket);
    if (fd === undefined) return undefined;
    const got = this.addon.readWaiting(fd, this.firstBytes);
    if (got === -EAGAIN) return undefined;
    if (got <= 0) return 'closed';
    return Buffer.from(this.firstBytes.subarray(0, got));
  }

  /** A head that is whole, or refused: to the router, or answered with the refusal. */
  private pass(socket: Socket, address: string, scan: Exclude<HeadScan, { kind: 'incomplete' }>, received: Buffer): void {
    if (scan.kind === 'refused') {
      this.stats.counters.badRequests++;
      this.stats.warn('bad-request', `request refused (${scan.refusal.status}): ${scan.refusal.reason}`, { client: address });
      writeRawReply(socket, scan.refusal.status, `${scan.refusal.reason}\n`);
      return;
    }
    this.onHead(socket, scan.head, received);
  }

  private evictOldest(): void {
    const oldest = this.pending.values().next().value;
    if (!oldest) return;
    this.stats.counters.evictedHeads++;
    this.stats.warn('evicted', 'too many requests arriving at once: the oldest still-arriving head was closed to make room', { limit: this.settings.maxPending });
    oldest();
  }

  private readHead(socket: Socket, address: string, key: string, first: Buffer | undefined): void {
    let received: Buffer = first ?? Buffer.alloc(0);
    let lineSeen = received.includes(LF);
    let settled = false;
    const evict = (): void => {
      if (settle()) socket.resetAndDestroy();
    };
    this.pending.add(evict);
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.pending.delete(evict);
      clearTimeout(deadline);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      this.stats.headEnded();
      const left = (this.pendingByAddress.get(key) ?? 1) - 1;
      if (left > 0) this.pendingByAddress.set(key, left);
      else this.pendingByAddress.delete(key);
      return true;
    };
    const deadline = setTimeout(() => {
      if (!settle()) return;
      this.stats.counters.headTimeouts++;
      this.stats.warn('head-timeout', 'connection closed: its request head did not arrive in time', { client: address, seconds: this.settings.headTimeoutMs / 1000 });
      writeRawReply(socket, 408, 'The request head did not arrive in time\n');
    }, this.settings.headTimeoutMs);
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      // Scan again only when a line may have ended, or a limit may have been passed: a head sent
      // a byte at a time then costs a scan per line, not per byte.
      const hasLineEnd = chunk.includes(LF);
      lineSeen ||= hasLineEnd;
      if (!hasLineEnd && lineSeen && !this.overLimit(received)) return;
      if (!hasLineEnd && !lineSeen && received.length > EARLY_CHECK_BYTES && !this.overLimit(received)) return;
      const scan = scanRequestHead(received, this.settings);
      if (scan.kind === 'incomplete') return;
      settle();
      socket.pause();
      this.pass(socket, address, scan, received);
    };
    // The client closed its side before its head was whole: there is nothing to answer.
    const onEnd = (): void => {
      if (settle()) socket.destroy();
    };
    const onClose = (): void => {
      settle();
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.resume();
  }

  /** Whether what arrived is already longer than a head may be (the scan then says which limit). */
  private overLimit(received: Buffer): boolean {
    const lastLineEnd = received.lastIndexOf(LF);
    return received.length > this.settings.maxHeadBytes || received.length - (lastLineEnd + 1) > this.settings.maxLineBytes;
  }
}
