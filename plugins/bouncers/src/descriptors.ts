import { defineComponent } from '@flowcast/core';

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
