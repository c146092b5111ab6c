import { defineComponent } from '@flowcast/core';

/** What the registry knows of muxer-mpegts without loading its code. */
export const muxerMpegts = defineComponent({
  type: 'muxer-mpegts',
  kind: 'muxer',
  description: 'Multiplexes H.264 video and AAC or MP3 audio into an MPEG transport stream, as broadcast and HLS carry them.',
  eaters: [
    {
      name: 'default',
      accepts: ['video/x-h264', 'audio/aac', 'audio/mpeg'],
      multiple: true,
      description: 'the encoded streams, one elementary stream each',
    },
  ],
  feeders: [{ name: 'default', produces: ['video/mp2t'] }],
  elements: ['mpegtsmux'],
  implementation: './muxer-mpegts',
  properties: {
    type: 'object',
    properties: {
      'packets-per-buffer': {
        type: 'integer',
        enum: [1, 7, 0],
        default: 7,
        description: 'TS packets (188 bytes) per output buffer: 7 fills one UDP datagram, 1 sends each packet alone, 0 lets the muxer group a whole frame',
      },
    },
  },
});
