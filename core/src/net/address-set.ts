import { BlockList, isIP } from 'node:net';

/*
 * Addresses and networks written by operators (trusted proxies, allow and deny lists): the
 * pattern a property schema checks them with, and a set to look addresses up in.
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

/** An IPv4 or IPv6 address, or a network in CIDR form ("10.0.0.0/8", "fd00::/8"). */
export const ADDRESS_OR_NETWORK_PATTERN = `^(?:${IPV4}(?:/(?:3[0-2]|[12]?[0-9]))?|(?:${IPV6})(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$`;

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) → "192.0.2.1". */
export function unmappedAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** A set of addresses and networks (trusted proxies, an allow or deny list). */
export class AddressSet {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  /** `entries` match ADDRESS_OR_NETWORK_PATTERN (the property schema has checked them). */
  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  has(peer: string): boolean {
    if (this.empty) return false;
    const address = unmappedAddress(peer);
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
