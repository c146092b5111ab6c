import { defineComponent } from '@flowcast/core';

/** What the registry knows of muxer-webm without loading its code. */
export const muxerWebm = defineComponent({
  type: 'muxer-webm',
  kind: 'muxer',
  description: 'Multiplexes VP8 or VP9 video and Vorbis or Opus audio into one live WebM stream, a cluster starting on each video keyframe, as browsers play it progressively.',
  eaters: [
    {
      name: 'default',
      accepts: ['video/x-vp8', 'video/x-vp9', 'audio/x-vorbis', 'audio/x-opus'],
      multiple: true,
      description: 'the encoded streams, one WebM track each',
    },
  ],
  feeders: [{ name: 'default', produces: ['video/webm'] }],
  elements: ['webmmux'],
  implementation: './muxer-webm',
  properties: {
    type: 'object',
    properties: {
      'cluster-duration': {
        type: 'integer',
        minimum: 0,
        maximum: 10000,
        default: 500,
        'x-unit': 'ms',
        description: 'In audio-only streams, start a new cluster (where a new listener can join) after this long; video starts one on each keyframe',
      },
    },
  },
});
