import path from 'node:path';

/** core/native/request-arrival.c. */
export interface RequestArrivalAddon {
  /** TCP_DEFER_ACCEPT on a listening socket: 0, or -errno. */
  deferAccept(fd: number, seconds: number): number;
  /** Bytes a socket already holds, read into `buffer` (0: closed), or -errno (-EAGAIN: none yet). */
  readWaiting(fd: number, buffer: Buffer): number;
}

/** core/native/file-sender.c. */
export interface FileSenderAddon {
  createFileSender(onDone: (ids: Int32Array, sent: Float64Array, errors: Int32Array) => void): object;
  senderAdd(sender: object, socketFd: number, fileFd: number, start: number, end: number, head?: Buffer): number;
  senderCancel(sender: object, id: number): number;
  senderClose(sender: object): void;
}

/**
 * Core's network addon, built by npm from core/binding.gyp into core/build/ (this file is
 * dist/src/net/native.js). It loads no GStreamer, so the manager of `flowcast serve` uses it too.
 */
export function loadNetAddon(): RequestArrivalAddon & FileSenderAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', '..', 'build', 'Release', 'flowcast_net.node')) as RequestArrivalAddon & FileSenderAddon;
}
