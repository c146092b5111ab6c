import { LATENCY_MARKER, markerFrequency, type GstElementHandle } from '@flowcast/core';

/**
 * Silence, and at each wall-clock second a short tone whose frequency tells the second (core's
 * LATENCY_MARKER): what a latency meter (`flowcast latency URL`, a page in a browser) listens for
 * to tell how far behind the wall clock a listener hears. The tone is switched on by setting
 * audiotestsrc's volume from a timer, so it starts within one source buffer (10 ms) and the
 * timer's lateness of the second.
 */
export class WallClockMarker {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly source: GstElementHandle,
    private readonly volume: number,
  ) {}

  start(): void {
    this.source.volume = 0;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    const next = Math.ceil((now + 1) / 1000) * 1000;
    this.timer = setTimeout(() => this.beep(next / 1000), next - now);
  }

  private beep(second: number): void {
    if (this.stopped) return;
    this.source.freq = markerFrequency(second);
    this.source.volume = this.volume;
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.source.volume = 0;
      this.schedule();
    }, LATENCY_MARKER.toneMs);
  }
}
