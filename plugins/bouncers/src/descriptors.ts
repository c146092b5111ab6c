import { ADDRESS_OR_NETWORK_PATTERN, defineComponent } from '@flowcast/core';

export const bouncerHtpasswd = defineComponent({
  type: 'bouncer-htpasswd',
  kind: 'bouncer',
  description:
    'Lets in listeners whose user name and password (HTTP Basic) are in an htpasswd file: bcrypt ($2y$, htpasswd -B) or Apache MD5 ($apr1$, htpasswd -m) hashes, or {SHA}. A browser or player without them is asked (401).',
  eaters: [],
  feeders: [],
  elements: [],
  implementation: './htpasswd-bouncer',
  properties: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', minLength: 1, pattern: '^[^\\u0000]+$', description: 'The htpasswd file (read again when it changes); a relative path is from the project directory' },
      realm: { type: 'string', pattern: '^[ !#-~]{1,100}$', 'x-pattern-description': 'printable ASCII without double quotes', default: 'Flowcast', description: 'The name a browser shows when it asks for the password' },
    },
  },
});

export const bouncerSignedUrl = defineComponent({
  type: 'bouncer-signed-url',
  kind: 'bouncer',
  description:
    'Lets in requests whose URL carries a valid, unexpired signature, as a CDN does: ?expires=UNIX_SECONDS&token=BASE64URL(HMAC-SHA256(secret, PATH + "\\n" + expires)). Can end a connection when its token expires.',
  eaters: [],
  feeders: [],
  elements: [],
  implementation: './signed-url-bouncer',
  properties: {
    type: 'object',
    required: ['secret'],
    properties: {
      secret: { type: 'string', minLength: 16, maxLength: 1024, 'x-secret': true, description: 'The key URLs are signed with (at least 16 characters); never logged' },
      'end-at-expiry': { type: 'boolean', default: true, description: 'Disconnect a listener when its token expires (else a connection, once let in, may stay)' },
    },
  },
});

const ADDRESS_LIST = {
  type: 'array',
  items: { type: 'string', pattern: ADDRESS_OR_NETWORK_PATTERN, 'x-pattern-description': 'an IP address, or a network in CIDR form such as "10.0.0.0/8" or "fd00::/8"' },
  uniqueItems: true,
  maxItems: 10000,
  default: [],
} as const;

export const bouncerIp = defineComponent({
  type: 'bouncer-ip',
  kind: 'bouncer',
  description:
    'Lets in listeners by address: never one in `deny`; when `allow` is given, only those in it. Behind a proxy, the streamer passes the client it vouches for (trusted-proxies).',
  eaters: [],
  feeders: [],
  elements: [],
  implementation: './ip-bouncer',
  properties: {
    type: 'object',
    properties: {
      allow: { ...ADDRESS_LIST, description: 'Only these addresses and networks may listen (empty: any not denied)' },
      deny: { ...ADDRESS_LIST, description: 'These addresses and networks may never listen' },
    },
  },
});

export const bouncerHttp = defineComponent({
  type: 'bouncer-http',
  kind: 'bouncer',
  description:
    'Asks an HTTP service, as Icecast\'s URL authentication does: POSTs the request\'s details as JSON (action, mount path, query, client address, user and password of HTTP Basic, user agent) and lets the listener in on a 2xx answer; a 401 answer asks the player for credentials; anything else, a timeout or an error refuses.',
  eaters: [],
  feeders: [],
  elements: [],
  implementation: './http-bouncer',
  properties: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^https?://[!-~]+$', 'x-pattern-description': 'an http:// or https:// URL without spaces', description: 'Where to POST each request for a decision' },
      timeout: { type: 'number', minimum: 0.1, maximum: 60, default: 5, 'x-unit': 's', description: 'Refuse when the service has not answered in this long' },
      realm: { type: 'string', pattern: '^[ !#-~]{1,100}$', 'x-pattern-description': 'printable ASCII without double quotes', default: 'Flowcast', description: 'The realm of the Basic challenge sent when the service answers 401' },
    },
  },
});

export const bouncerJwt = defineComponent({
  type: 'bouncer-jwt',
  kind: 'bouncer',
  description:
    'Lets in requests carrying a valid JSON Web Token (Authorization: Bearer, or ?token=), checked with the `jose` library: signature (HMAC secret or a public key), expiry, and issuer and audience when set. The token\'s subject is logged as the user; a listener can be disconnected when the token expires.',
  eaters: [],
  feeders: [],
  elements: [],
  implementation: './jwt-bouncer',
  exclusive: [['secret', 'public-key']],
  properties: {
    type: 'object',
    properties: {
      secret: { type: 'string', minLength: 32, maxLength: 1024, 'x-secret': true, description: 'The HMAC key (HS256, HS384, HS512) tokens are signed with; at least 32 characters; never logged' },
      'public-key': { type: 'string', minLength: 1, pattern: '^[^\\u0000]+$', description: 'A PEM file with the public key (RS*, PS*, ES*, EdDSA) tokens are signed with; a relative path is from the project directory' },
      issuer: { type: 'string', minLength: 1, maxLength: 500, description: 'The `iss` a token must have' },
      audience: { type: 'string', minLength: 1, maxLength: 500, description: 'An `aud` a token must have' },
      'end-at-expiry': { type: 'boolean', default: true, description: 'Disconnect a listener when its token expires' },
      realm: { type: 'string', pattern: '^[ !#-~]{1,100}$', 'x-pattern-description': 'printable ASCII without double quotes', default: 'Flowcast', description: 'The realm of the Bearer challenge' },
    },
  },
});
