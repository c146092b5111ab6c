import { defineComponent } from '@flowcast/core';

/** What the registry knows of encoder-vp8 without loading its code. */
export const encoderVp8 = defineComponent({
  type: 'encoder-vp8',
  kind: 'encoder',
  description: 'Encodes raw video to VP8 (WebM, Ogg) in real time, scaling and converting the frame rate as needed.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-vp8'] }],
  elements: ['videorate', 'videoscale', 'videoconvert', 'vp8enc'],
  implementation: './encoder-vp8',
  properties: {
    type: 'object',
    properties: {
      bitrate: { type: 'integer', minimum: 20000, maximum: 100000000, default: 1000000, 'x-unit': 'bits/s', description: 'Target bitrate, held constant for live streaming' },
      'keyframe-interval': {
        type: 'number',
        minimum: 0.1,
        maximum: 60,
        default: 2,
        'x-unit': 's',
        description: 'Seconds between keyframes: a new viewer starts at one, so shorter means a faster start and a bigger stream',
      },
      width: { type: 'integer', minimum: 16, maximum: 7680, 'x-unit': 'px', description: 'Scale to this width before encoding (default: keep the input size; with only width or height, the other follows the picture\'s shape)' },
      height: { type: 'integer', minimum: 16, maximum: 4320, 'x-unit': 'px', description: 'Scale to this height before encoding (default: keep the input size)' },
      framerate: {
        type: 'integer',
        minimum: 1,
        maximum: 120,
        default: 25,
        'x-unit': 'frames/s',
        description: 'Encode this many frames a second, dropping or repeating input frames to fit; the keyframe interval is counted in these frames',
      },
      speed: { type: 'integer', minimum: 0, maximum: 16, default: 8, description: 'Encoder speed in real time: 0 spends the most time on each frame (best picture), 16 the least' },
      threads: { type: 'integer', minimum: 0, maximum: 64, default: 0, description: 'Encoding threads (0: one per CPU core, at most 8)' },
    },
  },
});
