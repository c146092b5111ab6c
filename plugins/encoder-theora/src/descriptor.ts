import { defineComponent, VIDEO_CONVERSION_ELEMENTS, VIDEO_ENCODER_PROPERTIES } from '@flowcast/core';

/** What the registry knows of encoder-theora without loading its code. */
export const encoderTheora = defineComponent({
  type: 'encoder-theora',
  kind: 'encoder',
  description: 'Encodes raw video to Theora (for Ogg), at a quality or a bitrate, scaling and converting the frame rate as needed.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-theora'] }],
  elements: [...VIDEO_CONVERSION_ELEMENTS, 'theoraenc'],
  implementation: './encoder-theora',
  exclusive: [['quality', 'bitrate']],
  properties: {
    type: 'object',
    properties: {
      quality: { type: 'integer', minimum: 0, maximum: 63, default: 40, description: 'Picture quality, 0 (smallest) to 63 (best); not used when bitrate is set' },
      bitrate: { type: 'integer', minimum: 16000, maximum: 100000000, 'x-unit': 'bits/s', description: 'Average bitrate, instead of quality' },
      ...VIDEO_ENCODER_PROPERTIES,
      speed: { type: 'integer', minimum: 0, maximum: 3, default: 2, description: 'Motion search effort: 0 spends the most time on each frame (best picture), 3 the least' },
    },
  },
});
