import { BOUNCER_PROPERTY, defineComponent } from '@flowcast/core';
import { TRUSTED_PROXY_PATTERN } from './client-address';
import { ALLOW_ORIGIN_PATTERN } from './cors';
import { STATION_TEXT_IN_WORDS, STATION_TEXT_PATTERN } from './station-headers';
import { BANDWIDTH_PATTERN } from './policy';

/** An http(s) URL of printable ASCII: it goes into a header (Location, icy-url) as it is. */
const HTTP_URL_PATTERN = '^https?://[!-~]+$';
const HTTP_URL_IN_WORDS = 'an http:// or https:// URL without spaces, such as "https://radio.example/"';

function stationText(maxLength: number, description: string) {
  return { type: 'string', pattern: STATION_TEXT_PATTERN, 'x-pattern-description': STATION_TEXT_IN_WORDS, maxLength, description } as const;
}

export const streamerHttp = defineComponent({
  type: 'streamer-http',
  kind: 'consumer',
  description:
    'Serves a muxed live stream over HTTP to many listeners: each new listener gets the stream headers and a burst starting on a sync point, so it decodes at once; slow listeners are resynced, then disconnected.',
  eaters: [{ name: 'default', accepts: ['application/ogg', 'video/webm', 'audio/webm', 'video/x-matroska', 'audio/x-matroska', 'audio/mpeg', 'audio/aac', 'video/mp2t'] }],
  feeders: [],
  // flowcastbatchsink comes with core (core/native/batch-sink.c), registered when BatchSinkChannel loads it.
  elements: [{ element: 'flowcastbatchsink', bundled: true }],
  implementation: './streamer-http',
  claims: [{ resource: 'HTTP mount', properties: ['port', 'mount'] }],
  exclusive: [['burst-size', 'burst-time']],
  properties: {
    type: 'object',
    properties: {
      mount: { type: 'string', pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@/-]*$', default: '/', description: 'Path of the stream on the server, such as /live.ogg' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8800, description: 'TCP port; several streamers may share one port at different mounts' },
      'bind-address': { type: 'string', default: '0.0.0.0', description: 'Address to listen on (0.0.0.0 for every interface, 127.0.0.1 for this machine only)' },
      'burst-on-connect': {
        type: 'boolean',
        default: true,
        description: 'Start a new listener at the latest sync point (page boundary, keyframe) instead of the next buffer',
      },
      'burst-size': { type: 'integer', minimum: 1, maximum: 67108864, 'x-unit': 'bytes', description: 'Burst at least this much to a new listener, starting on a sync point' },
      'burst-time': { type: 'number', exclusiveMinimum: 0, maximum: 600, 'x-unit': 's', description: 'Burst at least this much stream time to a new listener, starting on a sync point' },
      'client-limit': { type: 'integer', 'x-live': true, minimum: 0, maximum: 1000000, default: 10000, description: 'Most listeners at once (0: no limit); the open-file limit is raised to fit' },
      'bandwidth-limit': {
        type: 'string',
        'x-live': true,
        pattern: BANDWIDTH_PATTERN,
        description: 'Refuse a listener when all listeners together would pass this, with its unit: "500 kbit/s", "100 Mbit/s", "1 Gbit/s"',
      },
      'redirect-on-overflow': { type: 'string', 'x-live': true, pattern: HTTP_URL_PATTERN, 'x-pattern-description': HTTP_URL_IN_WORDS, description: 'When full, send new listeners here (302) instead of answering 503' },
      'write-interval': {
        type: 'integer',
        minimum: 0,
        maximum: 2000,
        default: 500,
        'x-unit': 'ms',
        'x-live': true,
        description: 'Send what arrived within this long to each listener in one write: fewer system calls per listener, a little more latency (0: send each buffer at once)',
      },
      'hold-on-restart': {
        type: 'number',
        minimum: 0,
        maximum: 3600,
        default: 10,
        'x-unit': 's',
        description: 'Under flowcast serve, when the flow\'s pipeline fails and is rebuilt, keep listeners connected this long for the new stream (0: disconnect them at once)',
      },
      'idle-timeout': { type: 'number', 'x-live': true, minimum: 0, maximum: 86400, default: 30, 'x-unit': 's', description: 'Disconnect a listener that was sent nothing for this long (0: never)' },
      'soft-lag': { type: 'number', 'x-live': true, exclusiveMinimum: 0, maximum: 3600, default: 5, 'x-unit': 's', description: 'A listener further behind live than this is resynced to the latest sync point' },
      'hard-lag': { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 30, 'x-unit': 's', description: 'A listener further behind live than this is disconnected' },
      'max-client-buffer': {
        type: 'integer',
        minimum: 65536,
        maximum: 268435456,
        default: 1048576,
        'x-unit': 'bytes',
        'x-live': true,
        description: 'A listener with more than this waiting to be sent is disconnected',
      },
      'allow-origin': {
        type: 'string',
        pattern: ALLOW_ORIGIN_PATTERN,
        default: '*',
        description:
          'Access-Control-Allow-Origin on every answer: which web pages\' scripts may read the stream (Web Audio, fetch-based players); "*" for any, an origin such as "https://radio.example", or "" for none. An <audio> element plays it either way',
      },
      'station-name': stationText(200, "The station's name, sent as icy-name: what players and stream directories show"),
      'station-description': stationText(500, 'A line about the station, sent as icy-description'),
      'station-genre': stationText(100, 'Its genre, sent as icy-genre'),
      'station-url': { type: 'string', pattern: HTTP_URL_PATTERN, 'x-pattern-description': HTTP_URL_IN_WORDS, maxLength: 500, description: "The station's web page, sent as icy-url" },
      title: {
        ...stationText(1000, 'What is playing now, as players show it: ICY metadata (StreamTitle) for MP3 and AAC listeners that ask for it, TITLE in a new chained Ogg stream for Vorbis and Opus'),
        'x-live': true,
      },
      artist: { ...stationText(1000, 'Who is playing now: before the title in ICY StreamTitle ("artist - title"), ARTIST in Ogg comments'), 'x-live': true },
      'icy-metaint': {
        type: 'integer',
        minimum: 256,
        maximum: 65536,
        default: 16000,
        'x-unit': 'bytes',
        description: 'Bytes of stream between two ICY metadata blocks, for MP3 and AAC listeners that send Icy-MetaData: 1 (told to them as icy-metaint)',
      },
      bouncer: BOUNCER_PROPERTY,
      'access-log': { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Write an access log (Apache combined + seconds connected) to this file in the logs directory' },
      'trusted-proxies': {
        type: 'array',
        items: { type: 'string', pattern: TRUSTED_PROXY_PATTERN, 'x-pattern-description': 'an IP address, or a network in CIDR form such as "10.0.0.0/8" or "fd00::/8"' },
        uniqueItems: true,
        maxItems: 1024,
        default: [],
        description:
          'Reverse proxies in front of this server (addresses, or networks such as "10.0.0.0/8"): a listener that comes through one is logged under the address the proxy names in X-Forwarded-For. From any other peer the header is ignored',
      },
    },
  },
});
