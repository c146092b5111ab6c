import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';

/** The native half (native/fanout.c): a listener is a file descriptor, not a Node socket. */
export interface FanoutAddon {
  adopt(fd: number): number;
  send(fd: number, buffers: Buffer[], skip: number): number;
  outq(fd: number): number;
  peerClosed(fd: number): boolean;
  close(fd: number): number;
}

const EAGAIN = os.constants.errno.EAGAIN;
/** sendmsg takes at most this many buffers at once (the addon's iovec). */
const MAX_BUFFERS_PER_SEND = 256;

export function loadFanout(): FanoutAddon {
  // Built by npm from binding.gyp into the package's build/ (this file is dist/src/raw-connection.js).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', 'build', 'Release', 'fanout.node')) as FanoutAddon;
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
  private readonly closeListeners: (() => void)[] = [];

  private constructor(
    private readonly fd: number,
    private readonly addon: FanoutAddon,
  ) {}

  /** Take the socket's descriptor over and destroy the Node socket; undefined if it is already gone. */
  static adopt(socket: Socket, addon: FanoutAddon): RawConnection | undefined {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const copy = typeof fd === 'number' && fd >= 0 && !socket.destroyed ? addon.adopt(fd) : -1;
    socket.destroy();
    return copy >= 0 ? new RawConnection(copy, addon) : undefined;
  }

  get isClosed(): boolean {
    return this.closed;
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
        this.destroy(); // the listener left (EPIPE, ECONNRESET)
        break;
      }
      this.consume(sent);
      if (sent === 0) break;
    }
    return this.pendingBytes === 0;
  }

  /** What the kernel holds for this connection: not yet sent, or sent and not acknowledged. */
  kernelQueue(): number {
    return this.closed ? 0 : Math.max(0, this.addon.outq(this.fd));
  }

  /** The listener closed its end (or it was reset). */
  peerClosed(): boolean {
    return this.closed || this.addon.peerClosed(this.fd);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.fd);
    this.pending = [];
    this.pendingBytes = 0;
    for (const listener of this.closeListeners) listener();
  }

  private consume(bytes: number): void {
    this.pendingBytes -= bytes;
    let left = bytes + this.skip;
    while (this.pending.length > 0 && left >= this.pending[0]!.length) {
      left -= this.pending.shift()!.length;
    }
    this.skip = left;
  }
}
