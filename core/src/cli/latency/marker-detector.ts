import { LATENCY_MARKER, markerSlot } from '../../api/latency-marker';

/** A marker tone heard: when, which wall-clock second it was sent at, and the difference. */
export interface MarkerHeard {
  /** Wall-clock time (ms since the epoch) its first sample was played. */
  readonly heardAtMs: number;
  /** The wall-clock second it was sent at (seconds since the epoch). */
  readonly sentSecond: number;
  readonly latencyMs: number;
  readonly frequencyHz: number;
}

/** Loud enough to be a marker: a tenth of full scale (the marker is sent at producer-test's volume). */
const THRESHOLD = 3277;
/** Silence needed before an onset counts: most of the gap between two markers. */
const SILENCE_BEFORE_S = 0.5;
/** How much of the tone the frequency is measured over. */
const MEASURE_S = 0.04;

/**
 * Finds marker onsets in mono 16-bit audio that is being played out in real time, and tells how
 * far behind the wall clock each was heard. `playedAtMs(n)` gives the wall-clock time sample n
 * was played (see PlayoutClock).
 */
export class MarkerDetector {
  private sample = 0;
  private quietRun = 0;
  private tone?: { start: number; crossings: number; previous: number; seen: number };

  constructor(
    private readonly rate: number,
    private readonly playedAtMs: (sample: number) => number,
    private readonly onMarker: (marker: MarkerHeard) => void,
  ) {}

  push(samples: Int16Array): void {
    const measureLength = Math.round(MEASURE_S * this.rate);
    for (const value of samples) {
      const n = this.sample++;
      if (this.tone) {
        if ((value >= 0) !== (this.tone.previous >= 0)) this.tone.crossings++;
        this.tone.previous = value;
        if (++this.tone.seen >= measureLength) this.finish(this.tone.start, this.tone.crossings / 2 / MEASURE_S);
        continue;
      }
      if (Math.abs(value) < THRESHOLD) {
        this.quietRun++;
        continue;
      }
      if (this.quietRun >= SILENCE_BEFORE_S * this.rate) this.tone = { start: n, crossings: 0, previous: value, seen: 1 };
      this.quietRun = 0;
    }
  }

  private finish(start: number, frequencyHz: number): void {
    this.tone = undefined;
    this.quietRun = 0;
    const slot = markerSlot(frequencyHz);
    if (slot === undefined) return;
    const heardAtMs = this.playedAtMs(start);
    // The latest second at or before it was heard with this slot.
    let sentSecond = Math.floor(heardAtMs / 1000);
    while (sentSecond % LATENCY_MARKER.cycle !== slot) sentSecond--;
    this.onMarker({ heardAtMs, sentSecond, latencyMs: heardAtMs - sentSecond * 1000, frequencyHz });
  }
}

/**
 * When each sample was played, from when the chunks of a real-time playout arrived: a chunk
 * arrives when its first sample is played, or later (pipes and the event loop only delay), so
 * the earliest estimate over the last second is the best one; the window lets the estimate follow
 * the player when it stalls and resumes later.
 */
export class PlayoutClock {
  private readonly recent: { arrivedMs: number; origin: number }[] = [];

  constructor(private readonly rate: number) {}

  arrived(firstSample: number, arrivedMs: number): void {
    this.recent.push({ arrivedMs, origin: arrivedMs - (firstSample * 1000) / this.rate });
    while (this.recent.length > 1 && this.recent[0]!.arrivedMs < arrivedMs - 1000) this.recent.shift();
  }

  playedAtMs(sample: number): number {
    const origin = Math.min(...this.recent.map((r) => r.origin));
    return origin + (sample * 1000) / this.rate;
  }
}
