import { defineComponent } from '@flowcast/core';

/** What the registry knows of converter-scale without loading its code. */
export const converterScale = defineComponent({
  type: 'converter-scale',
  kind: 'converter',
  description: 'Scales raw video and converts its frame rate: one camera to several renditions, each with its own size.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-raw'] }],
  elements: ['videorate', 'videoscale', 'videoconvert'],
  implementation: './converter-scale',
  properties: {
    type: 'object',
    properties: {
      width: { type: 'integer', minimum: 16, maximum: 7680, 'x-unit': 'px', description: 'Width out (default: keep; with only width or height, the other follows the picture\'s shape)' },
      height: { type: 'integer', minimum: 16, maximum: 4320, 'x-unit': 'px', description: 'Height out (default: keep)' },
      framerate: { type: 'integer', minimum: 1, maximum: 120, 'x-unit': 'frames/s', description: 'Frame rate out, dropping or repeating frames (default: keep)' },
    },
  },
});
