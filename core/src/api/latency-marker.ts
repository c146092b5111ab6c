/**
 * The latency marker: the sound producer-test's `marker: true` makes, and what `flowcast latency`
 * listens for. Silence, and at each wall-clock second a MARKER_MS tone whose frequency tells the
 * second modulo MARKER_CYCLE, so a delay of up to MARKER_CYCLE seconds is measured unambiguously.
 */
export const LATENCY_MARKER = {
  /** How long each tone lasts. */
  toneMs: 100,
  baseHz: 500,
  stepHz: 250,
  cycle: 8,
} as const;

/** The frequency of the tone sent at wall-clock second `second` (whole seconds since the epoch). */
export function markerFrequency(second: number): number {
  return LATENCY_MARKER.baseHz + LATENCY_MARKER.stepHz * (second % LATENCY_MARKER.cycle);
}

/** Which second (mod cycle) a measured tone frequency stands for, or undefined if it is none. */
export function markerSlot(frequencyHz: number): number | undefined {
  const slot = Math.round((frequencyHz - LATENCY_MARKER.baseHz) / LATENCY_MARKER.stepHz);
  const off = Math.abs(frequencyHz - markerFrequency(slot));
  return slot >= 0 && slot < LATENCY_MARKER.cycle && off < LATENCY_MARKER.stepHz / 3 ? slot : undefined;
}
