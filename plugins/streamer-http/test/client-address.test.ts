/**
 * Which address a listener is logged under, behind trusted reverse proxies and behind none; and
 * the `trusted-proxies` pattern against Node's own parser of IP addresses.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import { clientAddress, TRUSTED_PROXY_PATTERN, TrustedProxies } from '../src/client-address';

const none = new TrustedProxies([]);
const local = new TrustedProxies(['127.0.0.1', '::1']);
const networks = new TrustedProxies(['10.0.0.0/8', 'fd00::/8', '192.0.2.10']);

test('without trusted proxies, X-Forwarded-For is ignored: anybody can send it', () => {
  assert.equal(clientAddress('127.0.0.1', '203.0.113.9', none), '127.0.0.1');
  assert.equal(clientAddress('198.51.100.4', '203.0.113.9', local), '198.51.100.4', 'a peer that is not a trusted proxy');
});

test('through a trusted proxy, the client is the address it appended', () => {
  assert.equal(clientAddress('127.0.0.1', '203.0.113.9', local), '203.0.113.9');
  assert.equal(clientAddress('::1', '2001:db8::7', local), '2001:db8::7');
  assert.equal(clientAddress('::ffff:127.0.0.1', '203.0.113.9', local), '203.0.113.9', 'an IPv4 peer on a dual-stack socket');
  assert.equal(clientAddress('127.0.0.1', undefined, local), '127.0.0.1', 'no header: the proxy itself');
});

test('the header is read from the right, only as far as trusted proxies vouch for it', () => {
  // The client wrote "1.1.1.1" itself; the proxy at 10.1.2.3 appended the address it saw.
  assert.equal(clientAddress('10.0.0.5', '1.1.1.1, 203.0.113.9', networks), '203.0.113.9');
  // Two trusted hops (an edge at 10.1.2.3 in front of the proxy at 10.0.0.5).
  assert.equal(clientAddress('10.0.0.5', '1.1.1.1, 203.0.113.9, 10.1.2.3', networks), '203.0.113.9');
  assert.equal(clientAddress('10.0.0.5', '203.0.113.9,fd00::1 ,  192.0.2.10', networks), '203.0.113.9', 'spaces and IPv6 hops');
  // Every hop trusted: the leftmost is the furthest address known.
  assert.equal(clientAddress('10.0.0.5', '10.9.9.9, 10.1.2.3', networks), '10.9.9.9');
});

test('an entry that is not a bare IP address stops the walk at the last address vouched for', () => {
  assert.equal(clientAddress('127.0.0.1', 'unknown', local), '127.0.0.1');
  assert.equal(clientAddress('127.0.0.1', '203.0.113.9, "evil" - - [', local), '127.0.0.1');
  assert.equal(clientAddress('10.0.0.5', '203.0.113.9, 10.1.2.3, 198.51.100.1:4711', networks), '10.0.0.5', 'with a port');
  assert.equal(clientAddress('10.0.0.5', '203.0.113.9, , 10.1.2.3', networks), '10.1.2.3', 'an empty entry');
  assert.equal(clientAddress('127.0.0.1', '', local), '127.0.0.1');
});

test('CIDR networks and single addresses are matched in both families', () => {
  assert.ok(networks.has('10.255.0.1'));
  assert.ok(!networks.has('11.0.0.1'));
  assert.ok(networks.has('fdab::1'));
  assert.ok(!networks.has('fe80::1'));
  assert.ok(networks.has('192.0.2.10'));
  assert.ok(!networks.has('192.0.2.11'));
  assert.ok(!networks.has('not an address'));
  assert.ok(!none.has('127.0.0.1'));
});

const pattern = new RegExp(TRUSTED_PROXY_PATTERN);

test('the trusted-proxies pattern accepts addresses and networks, and nothing else', () => {
  for (const good of ['127.0.0.1', '0.0.0.0/0', '10.0.0.0/8', '255.255.255.255/32', '::1', '::', '::/0', '2001:db8::/32', 'fd00::/8', '::ffff:192.0.2.1', '2001:db8:0:0:0:0:0:1', 'FE80::1/128', '1::', '64:ff9b::192.0.2.33']) {
    assert.ok(pattern.test(good), good);
  }
  for (const bad of ['', 'localhost', '10.0.0.0/33', '256.0.0.1', '1.2.3', '01.2.3.4', '10.0.0.0/', '::1/129', '1:2:3:4:5:6:7:8:9', '1::2::3', '127.0.0.1 ', '127.0.0.1\n', '[::1]', '::1%eth0', '1.2.3.4/8/8']) {
    assert.ok(!pattern.test(bad), JSON.stringify(bad));
  }
});

test('the pattern agrees with net.isIP on random near-addresses of both families', () => {
  // A fixed-seed generator, so that a failure can be replayed.
  let seed = 20261124;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n); // the high bits: an LCG's low bits repeat quickly
  };
  const pick = (items: readonly string[]): string => items[random(items.length)]!;
  const hex = ['0', '1', '9', 'a', 'f', 'F', ':', ':', '.', '255', '25', 'ffff', '::', '0:0'];
  const octets = ['0', '1', '7', '99', '199', '249', '255', '256', '01', ''];
  const v6Prefixes = ['', '', '', '', '::', '::ffff:', '1::', '1:2:3:4:5:6:', '1:2:3:4:5::', '1:2:3:4:5:6:7:', 'g::'];
  const near = (): string =>
    random(2) === 0
      ? Array.from({ length: 1 + random(16) }, () => pick(hex)).join('')
      : pick(v6Prefixes) + Array.from({ length: [3, 4, 4, 4, 5][random(5)]! }, () => pick(octets)).join('.');
  const seen = { 0: 0, 4: 0, 6: 0 } as Record<number, number>;
  for (let i = 0; i < 50_000; i++) {
    const candidate = near();
    const family = isIP(candidate);
    seen[family]!++;
    assert.equal(pattern.test(candidate), family !== 0, `${JSON.stringify(candidate)} (isIP: ${family})`);
  }
  // Both answers, for both families, came up often enough to mean something.
  assert.ok(seen[4]! > 500 && seen[6]! > 1000 && seen[0]! > 10_000, JSON.stringify(seen));
});
