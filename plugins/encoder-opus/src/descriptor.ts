import { defineComponent } from '@flowcast/core';

/** What the registry knows of encoder-opus without loading its code. */
export const encoderOpus = defineComponent({
  type: 'encoder-opus',
  kind: 'encoder',
  description: 'Encodes raw audio to Opus, resampling to 48 kHz as needed: speech and music at low bitrates and low latency.',
  eaters: [{ name: 'default', accepts: ['audio/x-raw'] }],
  feeders: [{ name: 'default', produces: ['audio/x-opus'] }],
  elements: ['audioconvert', 'audioresample', 'opusenc'],
  implementation: './encoder-opus',
  properties: {
    type: 'object',
    properties: {
      bitrate: { type: 'integer', minimum: 4000, maximum: 650000, default: 96000, 'x-unit': 'bits/s', 'x-live': true, description: 'Target bitrate' },
      'bitrate-type': {
        type: 'string',
        enum: ['cbr', 'vbr', 'constrained-vbr'],
        default: 'constrained-vbr',
        description: 'cbr: every frame the same size; vbr: size follows the signal; constrained-vbr: vbr that stays near the target',
      },
      complexity: { type: 'integer', minimum: 0, maximum: 10, default: 10, description: 'Encoder effort: 0 is fastest, 10 sounds best' },
      'frame-size': {
        type: 'number',
        enum: [2.5, 5, 10, 20, 40, 60],
        default: 20,
        'x-unit': 'ms',
        description: 'Duration of one Opus frame: shorter frames lower the latency, longer ones the overhead',
      },
      'audio-type': { type: 'string', enum: ['generic', 'voice'], default: 'generic', description: 'What to tune the encoder for: music and mixed content, or speech' },
    },
  },
});
