import { defineComponent } from '@flowcast/core';

/** What the registry knows of converter-volume without loading its code. */
export const converterVolume = defineComponent({
  type: 'converter-volume',
  kind: 'converter',
  description: 'Raises or lowers the level of raw audio by a gain in decibels, or mutes it.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
  elements: ['audioconvert', 'volume', 'level'],
  implementation: './converter-volume',
  properties: {
    type: 'object',
    properties: {
      gain: { type: 'number', minimum: -60, maximum: 20, default: 0, 'x-unit': 'dB', 'x-live': true, description: 'Gain: 0 keeps the level, -6 halves the amplitude, +6 doubles it (and may clip)' },
      mute: { type: 'boolean', default: false, 'x-live': true, description: 'Send silence instead of the audio (the stream keeps running)' },
    },
  },
});
