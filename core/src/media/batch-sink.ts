import { loadCoreAddon, type BatchSinkAddon, type StreamBatch } from './native';

/** The GStreamer element (registered by core's native addon) that consumers read a stream from. */
export const BATCH_SINK = 'flowcastbatchsink';

/**
 * One flowcastbatchsink's queue, seen from JavaScript. The sink queues buffers on its streaming
 * thread; `take()` empties the queue. `onWake` runs when the caps change, and for every buffer
 * while `wakeOnEachBuffer(true)`; otherwise the owner takes when it likes (the streamer: once a
 * second; the recorder: a few times a second), so a stream nobody listens to wakes JavaScript only
 * that often. Give the element `{ channel: channel.id }` as its property.
 */
export class BatchSinkChannel {
  readonly id: number;
  private wakeOnBuffer = false;
  private closed = false;

  constructor(
    onWake: () => void,
    private readonly addon: BatchSinkAddon = loadCoreAddon(),
  ) {
    this.id = addon.openChannel(onWake);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  take(): StreamBatch | null {
    return this.closed ? null : this.addon.take(this.id);
  }

  wakeOnEachBuffer(on: boolean): void {
    if (this.closed || on === this.wakeOnBuffer) return;
    this.wakeOnBuffer = on;
    this.addon.wakeOnEachBuffer(this.id, on);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.closeChannel(this.id);
  }
}
