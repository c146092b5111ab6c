import { defineComponent } from '@flowcast/core';

/** The mount: a path prefix without a trailing slash, such as /hls or /live/cam. */
const MOUNT_PATTERN = '^(/[A-Za-z0-9._~-]+)+$';

export const streamerHls = defineComponent({
  type: 'streamer-hls',
  kind: 'consumer',
  description:
    'Serves H.264 video (one rendition per feed) with AAC or MP3 audio as HTTP Live Streaming, for phones and hls.js: a master playlist, a live playlist per rendition, and MPEG-TS segments cut on keyframes, on the same HTTP front and port as streamer-http.',
  eaters: [
    { name: 'video', accepts: ['video/x-h264'], multiple: true, description: 'one rendition per feed, each from its own encoder (size, bitrate)' },
    { name: 'audio', accepts: ['audio/aac', 'audio/mpeg'], required: false, description: 'the audio, shared by every rendition' },
  ],
  feeders: [],
  elements: ['tee', { element: 'hlssink2', debian: 'gstreamer1.0-plugins-bad' }],
  implementation: './streamer-hls',
  claims: [{ resource: 'HTTP mount', properties: ['port', 'mount'] }],
  properties: {
    type: 'object',
    properties: {
      mount: {
        type: 'string',
        pattern: MOUNT_PATTERN,
        'x-pattern-description': 'a path without a trailing slash, such as "/hls"',
        default: '/hls',
        description: 'Where the streams are: the master playlist at MOUNT/index.m3u8, rendition N at MOUNT/N/index.m3u8',
      },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8800, description: 'TCP port; shared with streamer-http components on other mounts' },
      'bind-address': { type: 'string', default: '0.0.0.0', description: 'Address to listen on (0.0.0.0 for every interface, 127.0.0.1 for this machine only)' },
      'segment-duration': {
        type: 'integer',
        minimum: 1,
        maximum: 30,
        default: 2,
        'x-unit': 's',
        description: 'Target length of a segment; segments start on keyframes, and the encoders are asked for one at each cut. Players stay about three segments behind live',
      },
      'playlist-length': { type: 'integer', minimum: 2, maximum: 100, default: 6, description: 'Segments listed in each live playlist; older ones are removed' },
      'allow-origin': {
        type: 'string',
        pattern: '^(\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)?$',
        'x-pattern-description': '"*", an origin such as "https://tv.example", or "" for none',
        default: '*',
        description: 'Access-Control-Allow-Origin on every answer: which web pages may play the stream with hls.js (Safari\'s own player needs none)',
      },
    },
  },
});
