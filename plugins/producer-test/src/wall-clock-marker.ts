import { LATENCY_MARKER, markerFrequency, type GstElementHandle } from '@flowcast/core';

/** What the marker does at each wall-clock second, and when the tone ends. */
export interface MarkerTarget {
  on(second: number): void;
  off(): void;
}

/** The audio marker: audiotestsrc, silent but for the tone whose pitch tells the second. */
export function toneMarker(source: GstElementHandle, volume: number): MarkerTarget {
  source.volume = 0;
  return {
    on: (second) => {
      source.freq = markerFrequency(second);
      source.volume = volume;
    },
    off: () => {
      source.volume = 0;
    },
  };
}

/** The video marker: a videobalance that turns the picture white for as long as the tone lasts. */
export function flashMarker(balance: GstElementHandle): MarkerTarget {
  return {
    // Brightness alone leaves the colours' tint (chroma is kept): without saturation it is white.
    on: () => {
      balance.brightness = 1;
      balance.saturation = 0;
    },
    off: () => {
      balance.brightness = 0;
      balance.saturation = 1;
    },
  };
}

/**
 * At each wall-clock second, for LATENCY_MARKER.toneMs: a tone whose frequency tells the second
 * (core's LATENCY_MARKER) and a white picture. A latency meter (`flowcast latency URL`, a page in
 * a browser) listens and looks for them to tell how far behind the wall clock a viewer is. The
 * elements' properties are set from a timer, so a marker starts within one source buffer (10 ms of
 * audio, one frame of video) and the timer's lateness of its second.
 */
export class WallClockMarker {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly targets: readonly MarkerTarget[]) {}

  start(): void {
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
    this.timer = setTimeout(() => this.mark(next / 1000), next - now);
  }

  private mark(second: number): void {
    if (this.stopped) return;
    for (const target of this.targets) target.on(second);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      for (const target of this.targets) target.off();
      this.schedule();
    }, LATENCY_MARKER.toneMs);
  }
}
