import type { PipelineMessage } from '../api/running';
import type { RawBusMessage } from '../pipeline/gst';

/** Normalise a bus message: who posted it, and its text and debug detail when it has them. */
export function toPipelineMessage(raw: RawBusMessage): PipelineMessage {
  const { type, _src_element_name: source = '', message, debug, ...fields } = raw;
  return {
    type,
    source,
    ...(typeof message === 'string' ? { text: message } : {}),
    ...(typeof debug === 'string' ? { debug } : {}),
    fields,
  };
}

/** A state change to PLAYING; state names arrive as GLib enum names or nicks, so accept both. */
export function isPlayingTransition(raw: RawBusMessage): boolean {
  return raw.type === 'state-changed' && /playing/i.test(String(raw['new-state'] ?? ''));
}
