/**
 * Cross-origin access to the stream. An <audio> element plays a stream from any server; a web
 * player's script that reads the bytes itself (Web Audio analysis, fetch-based players, an
 * <audio crossorigin>) may only if every answer on the mount carries Access-Control-Allow-Origin.
 */

/** The value of the `allow-origin` property: "*", one origin such as https://radio.example, or "" for none. */
export const ALLOW_ORIGIN_PATTERN = '^(\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)?$';

/** Headers for every answer on the mount. */
export function corsHeaders(allowOrigin: string): Record<string, string> {
  return allowOrigin ? { 'Access-Control-Allow-Origin': allowOrigin } : {};
}

/**
 * The answer to a preflight OPTIONS: a player that sends headers of its own (Icy-MetaData, Range)
 * asks first. They are allowed and ignored: a live stream has neither metadata blocks nor ranges.
 */
export function preflightHeaders(allowOrigin: string): Record<string, string> {
  if (!allowOrigin) return {};
  return {
    ...corsHeaders(allowOrigin),
    'Access-Control-Allow-Methods': 'GET, HEAD',
    'Access-Control-Allow-Headers': 'Icy-MetaData, Range',
    'Access-Control-Max-Age': '86400',
  };
}
