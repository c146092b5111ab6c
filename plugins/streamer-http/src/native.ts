import path from 'node:path';

/** Listener connections as file descriptors (native/fanout.c). */
export interface FanoutAddon {
  adopt(fd: number): number;
  send(fd: number, buffers: Buffer[], skip: number): number;
  /**
   * The same buffers (at most 256) to each descriptor, as far as each kernel takes them: out[2i]
   * bytes taken, out[2i + 1] 0 or the -errno that stopped it (-EAGAIN: full).
   */
  sendMany(fds: Int32Array, buffers: Buffer[], out: Float64Array): number;
  tcpState(fd: number, out: Float64Array): number;
  /**
   * tcpState and peerClosed for many descriptors in one call: out[3i] acknowledged (-1 on error),
   * out[3i+1] window (-1 unknown), out[3i+2] 1 when the connection is gone (reset, or an error).
   */
  tcpStates(fds: Int32Array, out: Float64Array): number;
  peerClosed(fd: number): boolean;
  close(fd: number): number;
  /** Give the C heap's free pages back to the system (malloc_trim); true when some were. */
  trimMemory(): boolean;
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
