import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FRONT_SETTINGS } from '../../src/http/front-settings';
import { scanRequestHead, type HeadScan } from '../../src/http/request-head';

const scan = (text: string | Buffer): HeadScan => scanRequestHead(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'), DEFAULT_FRONT_SETTINGS);
const status = (text: string | Buffer): number | string => {
  const result = scan(text);
  return result.kind === 'refused' ? result.refusal.status : result.kind;
};

test('a whole head: method, target, path, version and headers (names in lower case, repeats joined)', () => {
  const head = 'GET /live.ogg?x=1 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 5.6.7.8\r\n\r\n';
  const result = scan(`${head}BODY`);
  assert.equal(result.kind, 'complete');
  if (result.kind !== 'complete') return;
  assert.deepEqual({ ...result.head, headers: { ...result.head.headers } }, {
    method: 'GET',
    url: '/live.ogg?x=1',
    path: '/live.ogg',
    httpVersion: '1.1',
    headers: { host: 'a', 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
  });
  assert.equal(result.length, head.length, 'the head ends after its blank line');
});

test('absolute-form and fragments name the same path; * only for OPTIONS', () => {
  for (const [line, path] of [
    ['GET http://radio.example:8800/live.ogg HTTP/1.1', '/live.ogg'],
    ['GET HTTP://radio.example/live.ogg?a=b HTTP/1.1', '/live.ogg'],
    ['GET http://radio.example HTTP/1.1', '/'],
    ['GET /live.ogg#t=10 HTTP/1.1', '/live.ogg'],
    ['OPTIONS * HTTP/1.1', '*'],
  ] as const) {
    const result = scan(`${line}\r\n\r\n`);
    assert.equal(result.kind === 'complete' && result.head.path, path, line);
  }
  assert.equal(status('GET * HTTP/1.1\r\n\r\n'), 400);
  assert.equal(status('GET ftp://x/y HTTP/1.1\r\n\r\n'), 400);
  assert.equal(status('CONNECT radio.example:443 HTTP/1.1\r\n\r\n'), 400);
});

test('refused as soon as the bytes show it, before the head ends', () => {
  assert.equal(status('GET / HTTP/1.1\nHost: a\n'), 400, 'bare LF');
  assert.equal(status('GET /\r\n'), 400, 'HTTP/0.9');
  assert.equal(status('GET / HTTP/2.0\r\n'), 505);
  assert.equal(status(Buffer.from([0x16, 0x03, 0x01, 0x00])), 400, 'a TLS handshake');
  assert.equal(status('GET / HTTP/1.1\r\n folded\r\n'), 400, 'obsolete line folding');
  assert.equal(status('GET / HTTP/1.1\r\nNo colon here\r\n'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nBad Name: x\r\n'), 400);
  assert.equal(status(`GET /${'a'.repeat(9000)}`), 414, 'a request line over 8 KB, still arriving');
  assert.equal(status(`GET / HTTP/1.1\r\nUser-Agent: ${'u'.repeat(9000)}`), 431, 'a header line over 8 KB, still arriving');
  assert.equal(status(`GET / HTTP/1.1\r\nUser-Agent: ${'u'.repeat(60_000)}\r\n\r\n`), 431, 'a 60 KB line arriving whole');
  const many = Array.from({ length: 101 }, (_, i) => `X-${i}: y\r\n`).join('');
  assert.equal(status(`GET / HTTP/1.1\r\n${many}\r\n`), 431, '101 header lines');
  const big = Array.from({ length: 40 }, (_, i) => `X-${i}: ${'y'.repeat(500)}\r\n`).join('');
  assert.equal(status(`GET / HTTP/1.1\r\n${big}`), 431, 'a head over 16 KB');
});

test('incomplete while it could still become a valid head', () => {
  for (const partial of ['', 'G', 'GET', 'GET /live', 'GET /live.ogg HTTP/1.1\r', 'GET /live.ogg HTTP/1.1\r\nHost: a', 'GET / HTTP/1.1\r\nHost: a\r\n']) {
    assert.equal(status(partial), 'incomplete', JSON.stringify(partial));
  }
  assert.equal(status('\r\n\r\nGET / HTTP/1.0\r\n\r\n'), 'complete', 'empty lines before the request line are skipped');
});
