import os from 'node:os';
import type { Connection } from '@flowcast/core';
import type { FanoutAddon } from './native';

const EAGAIN = os.constants.errno.EAGAIN;
/** sendmsg takes at most this many buffers at once (the addon's iovec). */
const MAX_BUFFERS_PER_SEND = 256;

/**
 * Bytes the kernel took, added up over many connections as they go (the hub's, for its stats):
 * what the connections sent is then known without visiting each one.
 */
export interface SentTally {
  bytes: number;
}

/**
 * One listener's connection once its response starts: the accepted socket's descriptor, taken
 * over from Node (a Node socket costs about 10 KB, a descriptor nothing outside the kernel), and
 * the buffers handed to it that the kernel has not taken yet. Writes never block: what the kernel
 * refuses stays here until `flush()` is called again.
 */
export class RawConnection {
  private pending: Buffer[] = [];
  /** Bytes of pending[0] already sent. */
  private skip = 0;
  private pendingBytes = 0;
  private corks = 0;
  private closed = false;
  /** Bytes the kernel took from us (the HTTP header included). */
  private sent = 0;
  /** Bytes the client acknowledged, as of the last refresh (read once more as the connection closes). */
  private acknowledged = -1;
  /** Closed by a reset, either way: what was not acknowledged by then never reached the client. */
  private closedWithLoss = false;
  /** The widest receive window the client advertised: its buffer's size, as far as we can tell. */
  private widestWindow = 0;
  /** What the kernel holds for this connection, unsent or unacknowledged, as of the last refresh. */
  kernelQueue = 0;
  /**
   * What the client's kernel holds that the client has not read, as of the last refresh: its
   * buffer (the widest window it advertised) less the window it advertises now. A client that
   * stops reading first fills this, out of the server's sight; counting it is what lets a stalled
   * listener be seen as behind from the moment it stops. An estimate, mostly low: a Linux
   * client's window shrinks by less than each byte it takes unread while it still grows (about
   * 18 KB less over a 128 KB buffer on a young connection, measured on loopback), and a client
   * whose kernel has just grown its buffer, because it read fast, takes data without its window
   * shrinking at all. On loopback it can also be up to one 64 KB MSS high: a window moves in
   * steps of the MSS there.
   */
  clientUnread = 0;
  /** Called with `closeSubject` when the connection closes: a function and its argument, not a closure per connection. */
  private closeHandler?: (subject: never) => void;
  private closeSubject?: unknown;

  private constructor(
    private readonly fd: number,
    private readonly addon: FanoutAddon,
    private readonly tally: SentTally,
  ) {}

  /**
   * Take the connection's descriptor over and let the connection go (its Node socket too, if it
   * has one); undefined if it is already gone. What the kernel takes for it is also added to `tally`.
   */
  static adopt(connection: Connection, addon: FanoutAddon, tally: SentTally = { bytes: 0 }): RawConnection | undefined {
    const fd = connection.fd;
    const copy = fd === undefined ? -1 : addon.adopt(fd);
    connection.destroy();
    return copy >= 0 ? new RawConnection(copy, addon, tally) : undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes the kernel took for this connection so far (the HTTP head included). */
  get sentBytes(): number {
    return this.sent;
  }

  /**
   * Bytes the client received: what the kernel took for it, which it delivers even after a
   * close of ours; but for a connection the client reset, or that we reset, what the client
   * had acknowledged (a listener that left without a word took nothing of what reached its
   * kernel after it closed, and a reset discards what was still queued).
   */
  get deliveredBytes(): number {
    return this.closedWithLoss && this.acknowledged >= 0 ? Math.min(this.sent, this.acknowledged) : this.sent;
  }

  /** Bytes handed to this connection that the kernel has not taken yet. */
  get writableLength(): number {
    return this.pendingBytes;
  }

  /** Queue `data` and send what the kernel takes; false when some of it is still waiting. */
  write(data: Buffer): boolean {
    if (this.closed) return false;
    this.pending.push(data);
    this.pendingBytes += data.length;
    return this.corks > 0 ? true : this.flush();
  }

  /**
   * `buffers` were written to this connection by a call for many (the hub's sendMany), with nothing
   * waiting before them: `sent` bytes taken, `error` the -errno that stopped it (0 or -EAGAIN: the
   * rest waits here, as after write(); anything else: the listener is gone). False when some wait.
   */
  sentWithOthers(buffers: Buffer[], sentCount: number, error: number): boolean {
    if (this.closed) return false;
    const sent = smallInteger(sentCount);
    let total = 0;
    for (const buffer of buffers) total += buffer.length;
    if (sent === total && error === 0) {
      this.sent += sent;
      this.tally.bytes += sent;
      return true;
    }
    this.pending.push(...buffers);
    this.pendingBytes += total;
    this.consume(sent);
    if (error < 0 && error !== -EAGAIN) this.closeGone();
    return this.pendingBytes === 0;
  }

  cork(): void {
    this.corks++;
  }

  uncork(): void {
    if (this.corks > 0 && --this.corks === 0) this.flush();
  }

  /** Send what is waiting, as far as the kernel takes it; true when nothing is left. */
  flush(): boolean {
    while (!this.closed && this.pending.length > 0) {
      const sent = this.addon.send(this.fd, this.pending.slice(0, MAX_BUFFERS_PER_SEND), this.skip);
      if (sent === -EAGAIN) break;
      if (sent < 0) {
        this.closeGone(); // the listener left (EPIPE, ECONNRESET)
        break;
      }
      this.consume(sent);
      if (sent === 0) break;
    }
    return this.pendingBytes === 0;
  }

  /**
   * Read the connection's TCP state (one getsockopt) into `kernelQueue` and `clientUnread`.
   * `scratch` is a Float64Array of 2 that the caller shares between connections.
   */
  refreshTransport(scratch: Float64Array): void {
    if (this.closed || this.addon.tcpState(this.fd, scratch) < 0) return;
    this.takeTransport(scratch[0]!, scratch[1]!);
  }

  /** The descriptor, for calls that read many connections at once (the hub's sweep: tcpStates). */
  get descriptor(): number {
    return this.fd;
  }

  /** The connection's TCP state as read for it elsewhere (tcpStates): bytes acknowledged, the window (-1: unknown). */
  takeTransport(acknowledgedCount: number, windowSize: number): void {
    if (this.closed) return;
    const acknowledged = smallInteger(acknowledgedCount);
    const window = smallInteger(windowSize);
    this.acknowledged = acknowledged;
    this.kernelQueue = Math.max(0, this.sent - acknowledged);
    if (window < 0) return; // the kernel does not say (before Linux 6.2)
    this.widestWindow = Math.max(this.widestWindow, window);
    this.clientUnread = this.widestWindow - window;
  }

  /** The listener closed its end (or it was reset). */
  peerClosed(): boolean {
    return this.closed || this.addon.peerClosed(this.fd);
  }

  /**
   * Call `handler(subject)` when the connection closes, instead of any handler set before (a
   * listener waiting for the stream, then admitted, is looked after by one owner at a time).
   */
  onClose<T>(handler: (subject: T) => void, subject: T): void {
    this.closeHandler = handler as (subject: never) => void;
    this.closeSubject = subject;
  }

  /** Close: what is queued still goes to the client. */
  destroy(): void {
    this.release(() => this.addon.close(this.fd));
  }

  /** Close the connection of a client that is gone (it reset the connection). */
  closeGone(): void {
    this.closedWithLoss = true;
    this.destroy();
  }

  /**
   * Close with a reset, for a listener that is being dropped: what it has not taken yet is
   * discarded now, instead of staying in the kernel, with the connection, until it does.
   */
  abort(): void {
    this.closedWithLoss = true;
    this.release(() => this.addon.abort(this.fd));
  }

  private release(closeDescriptor: () => void): void {
    if (this.closed) return;
    this.refreshTransport(new Float64Array(2));
    this.closed = true;
    closeDescriptor();
    this.pending = [];
    this.pendingBytes = 0;
    const handler = this.closeHandler as ((subject: unknown) => void) | undefined;
    this.closeHandler = undefined;
    handler?.(this.closeSubject);
    this.closeSubject = undefined;
  }

  private consume(bytes: number): void {
    this.sent += bytes;
    this.tally.bytes += bytes;
    this.pendingBytes -= bytes;
    let left = bytes + this.skip;
    while (this.pending.length > 0 && left >= this.pending[0]!.length) {
      left -= this.pending.shift()!.length;
    }
    this.skip = left;
    // A drained array keeps its backing store (some 80 bytes) for good: a new empty one has none.
    if (this.pending.length === 0) this.pending = [];
  }
}

/**
 * A count read from a Float64Array (the addon's results) as V8 keeps small integers: stored as it
 * comes, it would make the field a boxed heap number in every connection, 16 B more each.
 */
function smallInteger(value: number): number {
  return Math.trunc(value);
}
