import { BOUNCER_PROPERTY, defineComponent } from '@flowcast/core';

export const archiveHttp = defineComponent({
  type: 'archive-http',
  kind: 'consumer',
  description:
    'Serves a recordings directory (written by recorder-disk) on the HTTP front: each recording with byte ranges and conditional requests, a JSON listing, an HTML index and a podcast feed, and listen-again by time (?start=…&duration=…) as one continuous stream across files.',
  eaters: [],
  feeders: [],
  elements: [],
  implementation: './archive-http',
  claims: [{ resource: 'HTTP mount', properties: ['port', 'mount'] }],
  properties: {
    type: 'object',
    required: ['directory'],
    properties: {
      directory: { type: 'string', minLength: 1, pattern: '^[^\\u0000]+$', description: 'The recordings directory (recorder-disk\'s `directory`); a relative path is from the project directory' },
      mount: { type: 'string', pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@-]+(/[A-Za-z0-9._~!$&\'()*+,;=:@-]+)*$', default: '/archive', description: 'Path of the archive on the server; recordings are below it' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8800, description: 'TCP port; shared with streamers on the same port' },
      'bind-address': { type: 'string', default: '0.0.0.0', description: 'Address to listen on' },
      'public-url': {
        type: 'string',
        pattern: '^https?://[!-~]+$',
        'x-pattern-description': 'an http:// or https:// URL without spaces, such as "https://radio.example/archive"',
        description: 'The archive\'s address as listeners reach it (behind a proxy), for the links of the podcast feed; default: from the request',
      },
      bouncer: BOUNCER_PROPERTY,
      live: {
        type: 'string',
        pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@/-]*$',
        description:
          'The mount of the live stream being recorded (a streamer-http of this flow on the same port, such as /live.ogg): a listener rewinding with no duration is handed to it once caught up, and ends up a live listener',
      },
      'access-log': {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
        description: 'Write an access log (Apache combined + seconds connected, with the user a bouncer let in, as live mounts do) to this file in the logs directory',
      },
      title: { type: 'string', pattern: '^[^\\u0000-\\u001f\\u007f]*$', maxLength: 200, default: 'Archive', description: 'Title of the HTML index page' },
      'allow-origin': {
        type: 'string',
        pattern: '^(\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|)$',
        default: '*',
        description: 'Access-Control-Allow-Origin on every answer ("*", one origin, or "" for none)',
      },
    },
  },
});
