import { isIP } from 'node:net';
import { ADDRESS_OR_NETWORK_PATTERN, AddressSet, unmappedAddress } from '@flowcast/core';

/*
 * Which address a listener is logged under. Behind a reverse proxy (nginx, HAProxy, a CDN's
 * edge), every connection comes from the proxy; the proxy names the client it served in
 * X-Forwarded-For. Anybody can send that header, so it is believed only from the proxies the
 * operator lists in `trusted-proxies`, and only as far as they vouch for it.
 */

/** One `trusted-proxies` entry: an address or a network. */
export const TRUSTED_PROXY_PATTERN = ADDRESS_OR_NETWORK_PATTERN;

/** The proxies whose X-Forwarded-For is believed. */
export class TrustedProxies extends AddressSet {}

/**
 * The listener's address: the peer's own, unless the peer is a trusted proxy. Then X-Forwarded-For
 * is read from its right end, where each proxy appended the address it was connected from: the
 * first address that is not a trusted proxy is the client. Anything left of it may have been
 * written by the client itself, so it is never read. An entry that is not a bare IP address
 * stops the walk at the last address that was vouched for.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let client = unmappedAddress(peer);
  if (forwardedFor === undefined || !trusted.has(client)) return client;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmappedAddress(hops[i]!.trim());
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted.has(hop)) return client;
  }
  return client;
}
