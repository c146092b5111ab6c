import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from '../../src/http/client-key';

test('the per-address limit counts an IPv4 address, and an IPv6 /64 network', () => {
  assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('fe80::1'), 'fe80:0:0:0::/64');
});
