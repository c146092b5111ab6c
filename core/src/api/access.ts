/**
 * Listener authentication, as Flumotion's bouncers: a bouncer is a component of the flow (kind
 * `bouncer`) that registers itself under its name; a mount (streamer-http, archive-http) names it in
 * its `bouncer` property and asks it about each request before serving it.
 */

/** What a bouncer sees of a request for a protected mount. */
export interface AccessRequest {
  readonly method: string;
  /** The path without the query, as requested (still percent-encoded). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly remoteAddress: string;
}

export type AccessDecision =
  | {
      readonly allow: true;
      /** Who it is, for the access log. */
      readonly user?: string;
      /** End the connection at this time (ms since the epoch): a token's expiry. */
      readonly until?: number;
    }
  | {
      readonly allow: false;
      /** 401 when credentials are missing or wrong and the client should ask for them; 403 otherwise. */
      readonly status: 401 | 403;
      /** Why, for the server's log (never sent: it could help an attacker). */
      readonly reason: string;
      /** The WWW-Authenticate value of a 401 (`Basic realm="Radio"`). */
      readonly challenge?: string;
    };

export interface Bouncer {
  check(request: AccessRequest): Promise<AccessDecision>;
}

/** The bouncers of one flow, by component name. */
export interface Bouncers {
  register(name: string, bouncer: Bouncer): void;
  get(name: string): Bouncer | undefined;
}

/** The pattern of a `bouncer` property: a component name. */
export const BOUNCER_PROPERTY = {
  type: 'string',
  pattern: '^[a-z][a-z0-9-]*$',
  description: 'A bouncer component of this flow that checks each listener (htpasswd, signed URLs); none: anyone may listen',
} as const;

/** The AccessRequest of an HTTP request: its method, URL (path and query), headers and client. */
export function accessRequest(method: string, url: string, headers: Readonly<Record<string, string | string[] | undefined>>, remoteAddress: string): AccessRequest {
  const q = url.indexOf('?');
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return { method, path: q < 0 ? url : url.slice(0, q), query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), headers: flat, remoteAddress };
}

export { askBouncer, bouncerNamed } from '../access/ask';
export { AccessLog, formatAccessLine, quoteField, type AccessRecord } from '../access/access-log';
