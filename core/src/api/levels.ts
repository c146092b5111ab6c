import type { AudioLevels } from './component';
import type { PipelineMessage } from './running';

/**
 * How often a `level` element should report for the admin dashboard's meters (ns): pass as its
 * `interval`, with `post-messages: true`.
 */
export const LEVEL_INTERVAL_NS = 100_000_000;
/** What stands for -inf dB (digital silence) in JSON. */
export const SILENCE_DB = -200;

/** `level`'s per-channel values as the binding hands them over: "< -4.9, -5.1 >" (or -inf). */
function channelValues(value: unknown): number[] {
  return [...String(value ?? '').matchAll(/-?(?:inf|\d+(?:\.\d+)?(?:e[-+]?\d+)?)/gi)].map((m) => (/inf/i.test(m[0]) ? SILENCE_DB : Math.max(SILENCE_DB, Number(m[0]))));
}

/**
 * The levels in a bus message of GStreamer's `level` element (per channel, dBFS), or undefined
 * for any other message: what a component's `onElementMessage` keeps for its `levels()`.
 */
export function levelsFromMessage(message: PipelineMessage): AudioLevels | undefined {
  if (message.type !== 'element' || message.fields.name !== 'level') return undefined;
  const peak = channelValues(message.fields.peak);
  const rms = channelValues(message.fields.rms);
  // At end of stream level reports over no samples: its RMS is NaN (no number) and its peak -inf.
  return peak.length > 0 && rms.length === peak.length ? { peak, rms } : undefined;
}
