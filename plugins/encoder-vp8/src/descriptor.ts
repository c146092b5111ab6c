import { defineComponent, VIDEO_CONVERSION_ELEMENTS, VIDEO_ENCODER_PROPERTIES } from '@flowcast/core';

/** What the registry knows of encoder-vp8 without loading its code. */
export const encoderVp8 = defineComponent({
  type: 'encoder-vp8',
  kind: 'encoder',
  description: 'Encodes raw video to VP8 (WebM, Ogg) in real time, scaling and converting the frame rate as needed.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-vp8'] }],
  elements: [...VIDEO_CONVERSION_ELEMENTS, 'vp8enc'],
  implementation: './encoder-vp8',
  properties: {
    type: 'object',
    properties: {
      bitrate: { type: 'integer', minimum: 20000, maximum: 100000000, default: 1000000, 'x-unit': 'bits/s', description: 'Target bitrate, held constant for live streaming' },
      ...VIDEO_ENCODER_PROPERTIES,
      speed: { type: 'integer', minimum: 0, maximum: 16, default: 8, description: 'Encoder speed in real time: 0 spends the most time on each frame (best picture), 16 the least' },
      threads: { type: 'integer', minimum: 0, maximum: 64, default: 0, description: 'Encoding threads (0: one per CPU core, at most 8)' },
    },
  },
});
