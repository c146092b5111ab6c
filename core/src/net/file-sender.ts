import os from 'node:os';
import type { Socket } from 'node:net';
import type { Connection } from './connection';
import { loadNetAddon, type FileSenderAddon } from './native';

/** How a transfer ended: every byte sent, or why not, and how many bytes went. */
export interface Sent {
  bytes: number;
  /** Undefined when the whole range went; else the reason (the client left, the file was cut). */
  error?: string;
}

/** Names of errno values, by value (ECONNRESET for 104). */
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/**
 * Files to many sockets at once with sendfile(2), the way nginx serves them: the kernel says which
 * sockets have room (one epoll set, watched by the event loop), the native part sends to each
 * ready socket until it is full, and only transfers that end come back to JavaScript, together.
 * A listener costs a descriptor and an offset in the native part; no stream, buffer or timer.
 */
export class FileSender {
  private readonly addon: FileSenderAddon;
  private readonly native: object;
  private readonly waiting = new Map<number, (sent: Sent) => void>();
  private closed = false;

  constructor() {
    this.addon = loadNetAddon();
    this.native = this.addon.createFileSender((ids, sent, errors) => {
      for (let i = 0; i < ids.length; i++) {
        const resolve = this.waiting.get(ids[i]!);
        if (!resolve) continue;
        this.waiting.delete(ids[i]!);
        resolve(errors[i] === 0 ? { bytes: sent[i]! } : { bytes: sent[i]!, error: errors[i] === -os.constants.errno.EIO ? 'the file ended before the range' : errnoName(-errors[i]!) });
      }
    });
  }

  /** How many transfers are in progress. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Send bytes [start, end) of the file open as `fileFd` to the connection, which must have nothing
   * of its own left to write. The connection's and the file's descriptors are duplicated: the
   * caller may close its file at once. With `adopt`, the connection is let go now (its Socket, if
   * one was made, and its memory go) and closes once the range is sent (the response must say
   * `Connection: close`); else the transfer is cancelled when its socket closes. `head` (the
   * response head, not yet written) goes first, in one packet with the file's first bytes.
   * Resolves when the transfer ends, however it ends.
   */
  send(connection: Connection, fileFd: number, start: number, end: number, options: { adopt?: boolean; head?: Buffer } = {}): { done: Promise<Sent>; cancel(): void } {
    const out = connection.fd;
    if (out === undefined) throw new Error('the connection has no descriptor');
    if (this.closed) throw new Error('the file sender is closed');
    const transfer = this.start(out, fileFd, start, end, options.head);
    if (options.adopt) connection.destroy();
    else cancelOnClose(connection.socket(), transfer);
    return transfer;
  }

  /** A transfer whose closures hold nothing of the connection (an adopted one's socket can go). */
  private start(out: number, fileFd: number, start: number, end: number, head: Buffer | undefined): { done: Promise<Sent>; cancel(): void } {
    const id = this.addon.senderAdd(this.native, out, fileFd, start, end, head);
    let settle: (sent: Sent) => void = () => {};
    const done = new Promise<Sent>((resolve) => (settle = resolve));
    this.waiting.set(id, settle);
    const cancel = (): void => {
      if (!this.waiting.has(id)) return;
      this.waiting.delete(id);
      const bytes = this.addon.senderCancel(this.native, id);
      settle({ bytes: Math.max(0, bytes), error: 'cancelled' });
    };
    return { done, cancel };
  }

  /** End every transfer (their connections close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.senderClose(this.native);
    for (const settle of this.waiting.values()) settle({ bytes: 0, error: 'cancelled' });
    this.waiting.clear();
  }
}

/**
 * Resolves once Node has handed everything queued on the socket to the kernel (a response head
 * it wrote), or the socket closed: the file sender may then write on it.
 */
export async function drained(socket: Socket): Promise<void> {
  while (socket.writableLength > 0 && !socket.destroyed) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }
}

function cancelOnClose(socket: Socket, transfer: { done: Promise<Sent>; cancel(): void }): void {
  socket.once('close', transfer.cancel);
  void transfer.done.then(() => socket.off('close', transfer.cancel));
}
