import { BlockList, isIP } from 'node:net';

/*
 * Which address a listener is logged under. Behind a reverse proxy (nginx, HAProxy, a CDN's
 * edge), every connection comes from the proxy; the proxy names the client it served in
 * X-Forwarded-For. Anybody can send that header, so it is believed only from the proxies the
 * operator lists in `trusted-proxies`, and only as far as they vouch for it.
 */

const IPV4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const H = '[0-9A-Fa-f]{1,4}';
/** Every way of writing an IPv6 address (RFC 4291 §2.2): full, with one "::", or ending in IPv4. */
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
  // The last 32 bits written as IPv4 ("::ffff:192.0.2.1"): six groups, or fewer around one "::".
  `(?:${H}:){6}${IPV4}`,
  `::(?:${H}:){0,5}${IPV4}`,
  ...[1, 2, 3, 4, 5].map((left) => `(?:${H}:){${left}}:(?:${H}:){0,${5 - left}}${IPV4}`),
].join('|');

/** One `trusted-proxies` entry: an IPv4 or IPv6 address, or a network in CIDR form ("10.0.0.0/8", "fd00::/8"). */
export const TRUSTED_PROXY_PATTERN = `^(?:${IPV4}(?:/(?:3[0-2]|[12]?[0-9]))?|(?:${IPV6})(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$`;

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) → "192.0.2.1". */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** The proxies whose X-Forwarded-For is believed. */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  /** `entries` match TRUSTED_PROXY_PATTERN (the property schema has checked them). */
  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  has(address: string): boolean {
    if (this.empty) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * The listener's address: the peer's own, unless the peer is a trusted proxy. Then X-Forwarded-For
 * is read from its right end, where each proxy appended the address it was connected from: the
 * first address that is not a trusted proxy is the client. Anything left of it may have been
 * written by the client itself, so it is never read. An entry that is not a bare IP address
 * stops the walk at the last address that was vouched for.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let client = unmapped(peer);
  if (forwardedFor === undefined || !trusted.has(client)) return client;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapped(hops[i]!.trim());
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted.has(hop)) return client;
  }
  return client;
}
