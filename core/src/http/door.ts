import { constants } from 'node:os';
import type { Connection } from '../net/connection';
import { loadNetAddon } from '../net/native';
import { clientKey } from './client-key';
import type { FrontSettings } from './front-settings';
import type { FrontStats } from './front-stats';
import { writeRawReply } from './raw-reply';
import { scanRequestHead, type HeadScan, type RequestHead } from './request-head';

/** What the door passes on: the connection, its parsed head, and every byte read so far. */
export type HeadArrived = (connection: Connection, head: RequestHead, received: Buffer) => void;

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

  accept(connection: Connection): void {
    // With no head arriving from anywhere (the usual case), no address is at its limit: the peer is not even looked up.
    if (this.pendingByAddress.size > 0 && this.atAddressLimit(connection)) return;
    const first = this.readArrived(connection);
    if (first === 'closed') {
      connection.destroy();
      return;
    }
    if (first) {
      // Usually the whole head is there already: it is answered now, with no Socket, reading, timer or listener set up.
      const scan = scanRequestHead(first, this.settings);
      if (scan.kind !== 'incomplete') return this.pass(connection, scan, first);
    }
    if (this.pending.size >= this.settings.maxPending) this.evictOldest();
    const key = clientKey(connection.remoteAddress);
    this.pendingByAddress.set(key, (this.pendingByAddress.get(key) ?? 0) + 1);
    this.stats.headStarted();
    this.readHead(connection, key, first);
  }

  /** Whether the connection's address already has as many heads arriving as it may: it is then reset. */
  private atAddressLimit(connection: Connection): boolean {
    const address = connection.remoteAddress;
    const pending = this.pendingByAddress.get(clientKey(address)) ?? 0;
    if (pending < this.settings.maxPendingPerAddress) return false;
    this.stats.counters.refusedConnections++;
    this.stats.warn('refused', 'connection refused: too many requests arriving at once from one address', { client: address, pending });
    connection.socket().resetAndDestroy();
    return true;
  }

  /**
   * What the connection has sent so far, read at once without waiting (Node has not started
   * reading it): undefined when nothing has come yet or the connection has no descriptor,
   * 'closed' when the client has already gone.
   */
  private readArrived(connection: Connection): Buffer | 'closed' | undefined {
    const fd = connection.fd;
    if (fd === undefined) return undefined;
    const got = this.addon.readWaiting(fd, this.firstBytes);
    if (got === -EAGAIN) return undefined;
    if (got <= 0) return 'closed';
    return Buffer.from(this.firstBytes.subarray(0, got));
  }

  /** A head that is whole, or refused: to the router, or answered with the refusal. */
  private pass(connection: Connection, scan: Exclude<HeadScan, { kind: 'incomplete' }>, received: Buffer): void {
    if (scan.kind === 'refused') {
      this.stats.counters.badRequests++;
      this.stats.warn('bad-request', `request refused (${scan.refusal.status}): ${scan.refusal.reason}`, { client: connection.remoteAddress });
      writeRawReply(connection.socket(), scan.refusal.status, `${scan.refusal.reason}\n`);
      return;
    }
    this.onHead(connection, scan.head, received);
  }

  private evictOldest(): void {
    const oldest = this.pending.values().next().value;
    if (!oldest) return;
    this.stats.counters.evictedHeads++;
    this.stats.warn('evicted', 'too many requests arriving at once: the oldest still-arriving head was closed to make room', { limit: this.settings.maxPending });
    oldest();
  }

  private readHead(connection: Connection, key: string, first: Buffer | undefined): void {
    const socket = connection.socket();
    const address = connection.remoteAddress;
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
      this.pass(connection, scan, received);
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
