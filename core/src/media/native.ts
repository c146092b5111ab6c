import path from 'node:path';

/** GStreamer's flags on a buffer, as `take` gives them (core/native/batch-sink.c, buffer_flags). */
export const BufferFlag = {
  /** GST_BUFFER_FLAG_DELTA_UNIT: a decoder cannot start here (not a keyframe, not a cluster start). */
  deltaUnit: 1,
  /** GST_BUFFER_FLAG_HEADER: part of the stream headers (also in the caps as streamheader, or only flagged). */
  header: 2,
} as const;

/** What `take` returns: the buffers queued since the last take, and the caps if they changed. */
export interface StreamBatch {
  buffers: Buffer[];
  /** How long ago each buffer reached the sink, in ms. */
  ages: number[];
  /** Each buffer's BufferFlag bits. */
  flags: number[];
  /** Each buffer's presentation time in ms of stream time, or -1 when it has none (headers). */
  pts: number[];
  /**
   * How old each buffer was as it reached the sink, in ms: the pipeline clock's running time then
   * less the buffer's running time (what capture, encoding and muxing took); -1 when not known
   * (headers, no clock, a source that is not live).
   */
  latencies: number[];
  caps?: { name: string; streamheader: Buffer[] };
}

/** The flowcastbatchsink element's queues (core/native/batch-sink.c). */
export interface BatchSinkAddon {
  openChannel(onWake: () => void): number;
  take(channel: number): StreamBatch | null;
  wakeOnEachBuffer(channel: number, on: boolean): void;
  closeChannel(channel: number): void;
}

/**
 * Core's media addon, built by npm from core/binding.gyp into core/build/ (this file is
 * dist/src/media/native.js). Loading it registers the flowcastbatchsink element in this process;
 * Node loads it once, however often this is called.
 */
export function loadCoreAddon(): BatchSinkAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', '..', 'build', 'Release', 'flowcast_core.node')) as BatchSinkAddon;
}
