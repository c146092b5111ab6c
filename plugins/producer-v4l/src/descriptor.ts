import { defineComponent } from '@flowcast/core';

export const producerV4l = defineComponent({
  type: 'producer-v4l',
  kind: 'producer',
  description: 'Live video from a Video4Linux camera.',
  eaters: [],
  feeders: [{ name: 'default', produces: ['video/x-raw'] }],
  elements: ['v4l2src', 'videoconvert', 'jpegdec'],
  implementation: './producer-v4l',
  properties: {
    type: 'object',
    properties: {
      device: { type: 'string', pattern: '^/dev/', default: '/dev/video0', description: 'The camera device' },
      width: { type: 'integer', minimum: 16, maximum: 7680, default: 640, 'x-unit': 'px', description: 'Capture width' },
      height: { type: 'integer', minimum: 16, maximum: 4320, default: 480, 'x-unit': 'px', description: 'Capture height' },
      framerate: { type: 'integer', minimum: 1, maximum: 120, default: 25, 'x-unit': 'frames/s', description: 'Capture frame rate' },
      format: {
        type: 'string',
        enum: ['YUY2', 'I420', 'NV12', 'MJPG'],
        default: 'YUY2',
        description: 'Pixel format asked of the camera; MJPG is decoded by jpegdec',
      },
    },
  },
});
