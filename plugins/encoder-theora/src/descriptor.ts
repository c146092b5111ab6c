import { defineComponent } from '@flowcast/core';

/** What the registry knows of encoder-theora without loading its code. */
export const encoderTheora = defineComponent({
  type: 'encoder-theora',
  kind: 'encoder',
  description: 'Encodes raw video to Theora (for Ogg), at a quality or a bitrate, scaling and converting the frame rate as needed.',
  eaters: [{ name: 'default', accepts: ['video/x-raw'] }],
  feeders: [{ name: 'default', produces: ['video/x-theora'] }],
  elements: ['videorate', 'videoscale', 'videoconvert', 'theoraenc'],
  implementation: './encoder-theora',
  exclusive: [['quality', 'bitrate']],
  properties: {
    type: 'object',
    properties: {
      quality: { type: 'integer', minimum: 0, maximum: 63, default: 40, description: 'Picture quality, 0 (smallest) to 63 (best); not used when bitrate is set' },
      bitrate: { type: 'integer', minimum: 16000, maximum: 100000000, 'x-unit': 'bits/s', description: 'Average bitrate, instead of quality' },
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
      speed: { type: 'integer', minimum: 0, maximum: 3, default: 2, description: 'Motion search effort: 0 spends the most time on each frame (best picture), 3 the least' },
    },
  },
});
