import { defineComponent, VIDEO_CONVERSION_ELEMENTS, VIDEO_ENCODER_PROPERTIES } from '@flowcast/core';

/** What the registry knows of encoder-h264 without loading its code. */
export const encoderH264 = defineComponent({
  type: 'encoder-h264',
  kind: 'encoder',
  description: 'Encodes raw video to H.264 with x264, tuned for live (no frame held back), for HLS and MPEG-TS; scales and converts the frame rate as needed.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-h264'] }],
  elements: [...VIDEO_CONVERSION_ELEMENTS, { element: 'x264enc', debian: 'gstreamer1.0-plugins-ugly' }, 'h264parse'],
  implementation: './encoder-h264',
  properties: {
    type: 'object',
    properties: {
      bitrate: { type: 'integer', minimum: 20000, maximum: 100000000, default: 1000000, 'x-unit': 'bits/s', description: 'Target bitrate' },
      ...VIDEO_ENCODER_PROPERTIES,
      speed: {
        type: 'string',
        enum: ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'],
        default: 'veryfast',
        description: "x264's speed preset: faster uses less CPU for a worse picture at the same bitrate",
      },
      profile: {
        type: 'string',
        enum: ['constrained-baseline', 'main', 'high'],
        default: 'main',
        description: 'H.264 profile: constrained-baseline for the oldest phones, main plays everywhere, high is best for the bits',
      },
      threads: { type: 'integer', minimum: 0, maximum: 64, default: 0, description: 'Encoding threads (0: chosen by x264 from the CPU cores)' },
    },
  },
});
