import { defineComponent } from '@flowcast/core';

export const streamerHttp = defineComponent({
  type: 'streamer-http',
  kind: 'consumer',
  description: 'Serves a muxed live stream over HTTP to many listeners; each new listener gets the stream headers first, so it decodes at once.',
  eaters: [{ name: 'default', accepts: ['application/ogg', 'video/webm', 'audio/webm', 'video/x-matroska', 'audio/mpeg'] }],
  feeders: [],
  elements: ['appsink'],
  implementation: './streamer-http',
  claims: [{ resource: 'HTTP mount', properties: ['port', 'mount'] }],
  properties: {
    type: 'object',
    properties: {
      mount: { type: 'string', pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@/-]*$', default: '/', description: 'Path of the stream on the server, such as /live.ogg' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8800, description: 'TCP port; several streamers may share one port at different mounts' },
      'bind-address': { type: 'string', default: '0.0.0.0', description: 'Address to listen on (0.0.0.0 for every interface, 127.0.0.1 for this machine only)' },
      'max-client-buffer': {
        type: 'integer',
        minimum: 65536,
        maximum: 268435456,
        default: 4194304,
        'x-unit': 'bytes',
        description: 'A listener with more than this much data waiting to be sent is too slow and is disconnected',
      },
    },
  },
});
