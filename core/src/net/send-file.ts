import os from 'node:os';
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { loadCoreAddon } from '../media/native';

const EAGAIN = os.constants.errno.EAGAIN;
/** The most one call hands the kernel. */
const MAX_CALL = 1 << 20;
/** Waits between tries while the socket's buffer is full: short at first, longer for a slow reader. */
const FIRST_WAIT_MS = 1;
const LONGEST_WAIT_MS = 200;

function errnoName(errno: number): string {
  return Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The descriptor of a Node socket, when it has one (a TCP socket on Linux). */
export function socketDescriptor(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Send bytes [start, end) of an open file to a socket with sendfile(2): the kernel copies the
 * file's pages to the socket, nothing passes through the process, and a listener costs no buffer.
 * The socket must have nothing of its own left to write (Node's writes would interleave). While
 * the socket's buffer is full, it is tried again after a wait that grows to LONGEST_WAIT_MS for a
 * listener that reads slowly. Rejects when the socket closes or the file ends early.
 */
export async function sendFileRange(socket: Socket, file: FileHandle, start: number, end: number): Promise<void> {
  const out = socketDescriptor(socket);
  if (out === undefined) throw new Error('the socket has no descriptor');
  const addon = loadCoreAddon();
  let position = start;
  let wait = FIRST_WAIT_MS;
  while (position < end) {
    if (socket.destroyed) throw new Error('the client left');
    const sent = addon.sendfile(out, file.fd, position, Math.min(MAX_CALL, end - position));
    if (sent > 0) {
      position += sent;
      wait = FIRST_WAIT_MS;
    } else if (sent === -EAGAIN) {
      await sleep(wait);
      wait = Math.min(LONGEST_WAIT_MS, wait * 2);
    } else if (sent === 0) {
      throw new Error('the file ended before the range');
    } else {
      throw new Error(`sendfile failed: ${errnoName(-sent)}`);
    }
  }
}
