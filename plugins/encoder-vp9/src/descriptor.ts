import { defineComponent, VIDEO_CONVERSION_ELEMENTS, VIDEO_ENCODER_PROPERTIES } from '@flowcast/core';

/** What the registry knows of encoder-vp9 without loading its code. */
export const encoderVp9 = defineComponent({
  type: 'encoder-vp9',
  kind: 'encoder',
  description: 'Encodes raw video to VP9 (WebM) in real time, scaling and converting the frame rate as needed.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-vp9'] }],
  elements: [...VIDEO_CONVERSION_ELEMENTS, 'vp9enc'],
  implementation: './encoder-vp9',
  properties: {
    type: 'object',
    properties: {
      bitrate: { type: 'integer', minimum: 20000, maximum: 100000000, default: 1000000, 'x-unit': 'bits/s', description: 'Target bitrate, held constant for live streaming' },
      ...VIDEO_ENCODER_PROPERTIES,
      speed: { type: 'integer', minimum: 0, maximum: 8, default: 7, description: 'Encoder speed in real time: 0 spends the most time on each frame (best picture), 8 the least' },
      threads: { type: 'integer', minimum: 0, maximum: 64, default: 0, description: 'Encoding threads (0: one per CPU core, at most 8)' },
    },
  },
});
