/**
 * The HTTP a running streamer speaks, seen on the wire: raw TCP exchanges where framing matters,
 * Node's client elsewhere. One `flowcast run` serves every test in this file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { freePort, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';
import { announcedUrls, oggPages, rawExchange, ROOT, toneFlow } from './support';

const MOUNT = '/live.ogg';
const STATION_MOUNT = '/station.ogg';
const STATION = { name: 'Radio Café ☕', description: 'Tones, all day', genre: 'Test', url: 'https://radio.example/' };
let port: number;
let flow: RunningFlow;

before(async () => {
  port = await freePort();
  const station = `station-name: "${STATION.name}", station-description: "${STATION.description}", station-genre: ${STATION.genre}, station-url: "${STATION.url}"`;
  const streamers = [
    { name: 'web', port, mount: MOUNT },
    { name: 'station', port, mount: STATION_MOUNT, more: station },
  ];
  flow = await startFlow(writeFlow(toneFlow(streamers)), { cwd: ROOT });
  assert.deepEqual((await announcedUrls(flow, 2)).sort(), [`http://127.0.0.1:${port}${MOUNT}`, `http://127.0.0.1:${port}${STATION_MOUNT}`].sort());
  // "is running" comes when the pipeline plays; the stream's format (its content type and
  // headers) comes with the first buffer, and until then the mount answers 503 "not ready yet".
  const end = Date.now() + 10_000;
  while (Date.now() < end && (await rawExchange(port, request('HEAD', MOUNT), { waitMs: 1000 })).status === 503) await new Promise((r) => setTimeout(r, 50));
});

after(async () => {
  assert.equal(await flow.stop(), 0);
});

const request = (method: string, path: string): string => `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: flowcast-test\r\n\r\n`;

test('HEAD on the mount: 200, Content-Type application/ogg, no body, connection closed', { timeout: 10_000 }, async () => {
  const response = await rawExchange(port, request('HEAD', MOUNT), { waitMs: 2000 });
  assert.equal(response.status, 200, response.head);
  assert.equal(response.headers.get('content-type'), 'application/ogg', response.head);
  assert.equal(response.body.length, 0, `HEAD sent ${response.body.length} body bytes`);
  assert.equal(response.headers.get('transfer-encoding'), undefined, response.head);
  assert.ok(response.closedByServer, 'the server keeps a HEAD connection of a live stream open');

  // And with Node's own client.
  const status = await new Promise<{ status: number; type?: string; bytes: number }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: MOUNT, method: 'HEAD', agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], bytes }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(status, { status: 200, type: 'application/ogg', bytes: 0 });
});

test('POST on the mount: 405 with an Allow header naming GET, HEAD and OPTIONS', { timeout: 10_000 }, async () => {
  const response = await rawExchange(port, `POST ${MOUNT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello`, { waitMs: 2000 });
  assert.equal(response.status, 405, response.head);
  const allow = (response.headers.get('allow') ?? '').split(',').map((m) => m.trim()).sort();
  assert.deepEqual(allow, ['GET', 'HEAD', 'OPTIONS'], response.head);
  // A complete, self-delimited answer: the client is not left waiting for more.
  const delimited = response.closedByServer || response.headers.has('content-length') || response.body.toString('latin1').endsWith('0\r\n\r\n');
  assert.ok(delimited, response.head);
});

test('GET on a path nothing is mounted at, on the same port: 404', { timeout: 10_000 }, async () => {
  const response = await rawExchange(port, request('GET', '/nothing-here.ogg'), { waitMs: 2000 });
  assert.equal(response.status, 404, response.head);
  // The stream is not served under a prefix or a neighbouring path either.
  assert.equal((await rawExchange(port, request('GET', `${MOUNT}/x`), { waitMs: 2000 })).status, 404);
  assert.equal((await rawExchange(port, request('GET', '/'), { waitMs: 2000 })).status, 404);
});

test('GET on the mount: 200 application/ogg, raw (not chunked) bytes, Connection: close', { timeout: 10_000 }, async () => {
  const response = await rawExchange(port, request('GET', MOUNT), { waitMs: 3000, maxBytes: 6 * 1024 });
  assert.equal(response.status, 200, response.head);
  assert.equal(response.headers.get('content-type'), 'application/ogg', response.head);
  assert.equal(response.headers.get('transfer-encoding'), undefined, `a live stream must not be chunked:\n${response.head}`);
  assert.equal(response.headers.get('content-length'), undefined, response.head);
  assert.equal(response.headers.get('connection')?.toLowerCase(), 'close', response.head);
  assert.match(response.headers.get('cache-control') ?? '', /no-cache/, response.head);
  // The body on the wire is the Ogg stream itself, from its first byte: no chunk-size lines.
  assert.equal(response.body.toString('latin1', 0, 4), 'OggS', `body starts ${JSON.stringify(response.body.toString('latin1', 0, 16))}`);
  assert.ok(oggPages(response.body).length >= 2, 'whole Ogg pages back to back');
});

test('HTTP/1.0 GET gets the same raw stream', { timeout: 10_000 }, async () => {
  const response = await rawExchange(port, `GET ${MOUNT} HTTP/1.0\r\n\r\n`, { waitMs: 3000, maxBytes: 6 * 1024 });
  assert.equal(response.status, 200, response.head);
  assert.equal(response.headers.get('transfer-encoding'), undefined, response.head);
  assert.equal(response.body.toString('latin1', 0, 4), 'OggS');
});

test('CORS: GET and HEAD carry Access-Control-Allow-Origin (allow-origin defaults to *); a preflight is answered', { timeout: 10_000 }, async () => {
  const get = await rawExchange(port, request('GET', MOUNT), { waitMs: 1000 });
  assert.equal(get.status, 200, get.head);
  assert.equal(get.headers.get('access-control-allow-origin'), '*', get.head);
  const head = await rawExchange(port, request('HEAD', MOUNT), { waitMs: 2000 });
  assert.equal(head.headers.get('access-control-allow-origin'), '*', head.head);

  const preflight = `OPTIONS ${MOUNT} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: https://player.example\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: icy-metadata\r\n\r\n`;
  const options = await rawExchange(port, preflight, { waitMs: 2000 });
  assert.equal(options.status, 204, options.head);
  assert.equal(options.headers.get('access-control-allow-origin'), '*', options.head);
  assert.match(options.headers.get('access-control-allow-methods') ?? '', /\bGET\b/, options.head);
  assert.match(options.headers.get('access-control-allow-headers') ?? '', /Icy-MetaData/i, options.head);
  assert.equal(options.body.length, 0, options.head);
});

test('station-name and friends go out as icy-* headers in UTF-8, and a player (ffprobe) shows them', { timeout: 15_000 }, async () => {
  const get = await rawExchange(port, request('GET', STATION_MOUNT), { waitMs: 1000 });
  assert.equal(get.status, 200, get.head);
  const headBytes = Buffer.from(get.head, 'latin1'); // the head's bytes, as they came
  assert.ok(headBytes.includes(Buffer.from(`\r\nicy-name: ${STATION.name}\r\n`, 'utf8')), `the UTF-8 bytes of the name: ${headBytes.toString('latin1')}`);
  const head = await rawExchange(port, request('HEAD', STATION_MOUNT), { waitMs: 2000 });
  assert.equal(Buffer.from(head.headers.get('icy-genre') ?? '', 'latin1').toString('utf8'), STATION.genre, head.head);
  assert.equal(Buffer.from(head.headers.get('icy-name') ?? '', 'latin1').toString('utf8'), STATION.name, head.head);
  const plain = await rawExchange(port, request('HEAD', MOUNT), { waitMs: 2000 });
  assert.ok(![...plain.headers.keys()].some((name) => name.startsWith('icy-')), `no icy-* headers where no station is set: ${plain.head}`);

  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', `http://127.0.0.1:${port}${STATION_MOUNT}`], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(probe.status, 0, probe.stderr);
  const tags = (JSON.parse(probe.stdout) as { format?: { tags?: Record<string, string> } }).format?.tags ?? {};
  assert.deepEqual(
    { name: tags['icy-name'], description: tags['icy-description'], genre: tags['icy-genre'], url: tags['icy-url'] },
    STATION,
    probe.stdout,
  );
});
