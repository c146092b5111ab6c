import path from 'node:path';

/** Listener connections as file descriptors (native/fanout.c). */
export interface FanoutAddon {
  adopt(fd: number): number;
  send(fd: number, buffers: Buffer[], skip: number): number;
  tcpState(fd: number, out: Float64Array): number;
  peerClosed(fd: number): boolean;
  close(fd: number): number;
  /** Close with a reset: the kernel discards what is still queued for the peer. */
  abort(fd: number): number;
}

/**
 * The package's native addon, built by npm from binding.gyp into build/ (this file is
 * dist/src/native.js). The stream comes in through core's flowcastbatchsink (`BatchSinkChannel`).
 */
export function loadNative(): FanoutAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', 'build', 'Release', 'fanout.node')) as FanoutAddon;
}
