import { defineComponent } from '@flowcast/core';

export const muxerOgg = defineComponent({
  type: 'muxer-ogg',
  kind: 'muxer',
  description: 'Multiplexes one or more encoded audio and video feeds into one Ogg stream.',
  eaters: [
    {
      name: 'default',
      accepts: ['audio/x-vorbis', 'audio/x-opus', 'audio/x-flac', 'audio/x-speex', 'video/x-theora', 'video/x-vp8'],
      multiple: true,
      description: 'the encoded streams, one Ogg logical stream each',
    },
  ],
  feeders: [{ name: 'default', produces: ['application/ogg'] }],
  elements: ['oggmux'],
  implementation: './muxer-ogg',
  properties: {
    type: 'object',
    properties: {
      'max-page-delay': {
        type: 'integer',
        minimum: 10,
        maximum: 10000,
        default: 500,
        'x-unit': 'ms',
        description: 'Longest time data waits in a page before the page is sent (lower means less latency, more overhead)',
      },
    },
  },
});
