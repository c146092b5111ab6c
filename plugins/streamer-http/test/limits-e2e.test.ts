/**
 * The listener policy of a running streamer, through `flowcast run` on a real flow: client and
 * bandwidth limits, redirect on overflow, the access log, statistics lines and the burst a new
 * listener gets. One flow with five streamers on one port serves every test in this file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, readStream, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';
import { announcedUrls, assertStartsWithVorbisHeaders, audioPages, oggPages, rawExchange, ROOT, sleep, waitFor } from './support';

const REDIRECT = 'http://example.com/other.ogg';
const USER_AGENT = 'flowcast-limits-test/1.0 (e2e)';
let port: number;
let flow: RunningFlow;
let logDir: string;

before(async () => {
  port = await freePort();
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-logs-'));
  const streamer = (name: string, properties: string): string[] => [`  ${name}:`, '    type: streamer-http', '    eats: muxer', `    properties: { port: ${port}, ${properties} }`];
  const yaml = [
    'name: limits-test',
    'components:',
    '  tone:',
    '    type: producer-test',
    '    properties: { wave: sine, frequency: 440, volume: 0.5 }',
    '  encoder:',
    '    type: encoder-vorbis',
    '    eats: tone',
    '  muxer:',
    '    type: muxer-ogg',
    '    eats: encoder',
    ...streamer('capped', 'mount: /capped.ogg, client-limit: 2'),
    ...streamer('redirecting', `mount: /redirect.ogg, client-limit: 1, redirect-on-overflow: "${REDIRECT}"`),
    ...streamer('narrow', 'mount: /narrow.ogg, bandwidth-limit: "1 kbit/s"'),
    ...streamer('logged', 'mount: /logged.ogg, access-log: access.log'),
    ...streamer('proxied', 'mount: /proxied.ogg, access-log: proxied.log, trusted-proxies: ["127.0.0.1", "::1"]'),
  ].join('\n');
  flow = await startFlow(writeFlow(yaml + '\n'), { cwd: ROOT, env: { FLOWCAST_LOG_DIR: logDir, FLOWCAST_STATS_INTERVAL: '1' } });
  assert.equal((await announcedUrls(flow, 5)).length, 5);
});

after(async () => {
  assert.equal(await flow.stop(), 0);
});

const get = (mount: string, extra = ''): string => `GET ${mount} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}\r\n`;

/** Stats lines (JSON on stderr) of one component, oldest first. */
function statsOf(component: string): Record<string, number>[] {
  return flow
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.msg === 'stats' && record.component === component) as Record<string, number>[];
}

/** A raw listener that stays connected until `stop()`; resolves once the 200 header arrived. */
async function hold(mount: string): Promise<{ stop(): void }> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1', 0, Math.min(chunk.length, 64))));
  socket.on('connect', () => socket.write(get(mount)));
  assert.ok(await waitFor(() => /^HTTP\/1\.[01] 200/.test(received), 5000), `no 200 on ${mount}: ${JSON.stringify(received)}`);
  return { stop: () => socket.destroy() };
}

test('client-limit 2: a third GET gets 503 with Retry-After; a place frees when one leaves', { timeout: 15_000 }, async () => {
  const first = await hold('/capped.ogg');
  const second = await hold('/capped.ogg');
  const third = await rawExchange(port, get('/capped.ogg'), { waitMs: 3000 });
  assert.equal(third.status, 503, third.head);
  assert.match(third.headers.get('retry-after') ?? '', /^\d+$/, third.head);
  assert.match(third.body.toString(), /client limit 2/);
  first.stop();
  assert.ok(
    await waitFor(() => statsOf('capped').at(-1)?.clients === 1, 4000),
    `clients: ${statsOf('capped').at(-1)?.clients}`,
  );
  const again = await rawExchange(port, get('/capped.ogg'), { waitMs: 1500, maxBytes: 64 });
  assert.equal(again.status, 200, again.head);
  second.stop();
});

test('redirect-on-overflow: a GET past the limit gets 302 with Location', { timeout: 15_000 }, async () => {
  const first = await hold('/redirect.ogg');
  const second = await rawExchange(port, get('/redirect.ogg'), { waitMs: 3000 });
  assert.equal(second.status, 302, second.head);
  assert.equal(second.headers.get('location'), REDIRECT);
  first.stop();
});

test('bandwidth-limit "1 kbit/s": a GET is refused once the stream bitrate is known', { timeout: 15_000 }, async () => {
  assert.ok(await waitFor(() => (statsOf('narrow').at(-1)?.currentBitrate ?? 0) > 1000, 5000), 'the stream bitrate is known');
  const response = await rawExchange(port, get('/narrow.ogg'), { waitMs: 3000 });
  assert.equal(response.status, 503, response.head);
  assert.match(response.body.toString(), /bandwidth limit/);
  assert.ok(await waitFor(() => (statsOf('narrow').at(-1)?.refused ?? 0) >= 1, 3000), 'the refusal is counted');
  assert.equal(statsOf('narrow').at(-1)?.clients, 0);
});

test('access log: one Apache combined line per listener, with the bytes it received and its user agent', { timeout: 20_000 }, async () => {
  const file = path.join(logDir, 'access.log');
  const linesBefore = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  const socket = net.connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    // X-Forwarded-For from a peer that is not a trusted proxy (none are, on this mount): ignored.
    socket.on('connect', () => socket.write(get('/logged.ogg?listener=1', `User-Agent: ${USER_AGENT}\r\nReferer: http://example.com/page\r\nX-Forwarded-For: 203.0.113.9\r\n`)));
    // Read 2 s, then leave at once, right after a read: what the server counts is what the
    // client acknowledged, and nothing it received is left unread here. (A half-close would not
    // do: a client that only shuts down its sending side is still a listener.)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (Date.now() - started < 2000) return;
      socket.destroy();
      resolve();
    });
  });
  const all = Buffer.concat(chunks);
  const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
  assertStartsWithVorbisHeaders(body, 'logged listener');

  assert.ok(await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length > linesBefore, 5000), 'a line in the access log');
  await sleep(200);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(linesBefore);
  assert.equal(lines.length, 1, lines.join('\n'));
  const match = /^(\S+) - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)" (\d+)$/.exec(lines[0]!);
  assert.ok(match, `not a combined line + seconds: ${lines[0]}`);
  assert.equal(match[1], '127.0.0.1');
  assert.equal(match[2], 'GET /logged.ogg?listener=1 HTTP/1.1');
  assert.equal(match[3], '200');
  assert.equal(Number(match[4]), body.length, 'bytes: the body the client received');
  assert.equal(match[5], 'http://example.com/page');
  assert.equal(match[6], USER_AGENT);
  assert.ok(Number(match[7]) >= 1, `seconds: ${match[7]}`);
});

/** Listen for about a second with `extraHeaders`, then leave. */
async function listenBriefly(mount: string, extraHeaders: string): Promise<void> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('connect', () => socket.write(get(mount, extraHeaders)));
    socket.once('data', () =>
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000),
    );
    socket.on('data', () => undefined);
  });
}

test('trusted-proxies: behind a trusted proxy, the access log names the client from X-Forwarded-For', { timeout: 20_000 }, async () => {
  const file = path.join(logDir, 'proxied.log');
  // A proxy that appended the client it served to what the client sent.
  await listenBriefly('/proxied.ogg', 'X-Forwarded-For: 198.51.100.23, 203.0.113.9\r\n');
  // Two header lines, the proxy's last: they count as one list, read from the right.
  await listenBriefly('/proxied.ogg', 'X-Forwarded-For: 2001:db8::7\r\nX-Forwarded-For: 127.0.0.1\r\n');
  // Not an address: the proxy itself is logged, and nothing of the header reaches the log.
  await listenBriefly('/proxied.ogg', 'X-Forwarded-For: "injected" - - [01/Jan/2026\r\n');
  assert.ok(await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length === 3, 5000), 'three lines in the access log');
  const addresses = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0]);
  assert.deepEqual(addresses, ['203.0.113.9', '2001:db8::7', '127.0.0.1']);
});

test('stats: JSON lines with msg "stats" show clients and bytes sent growing', { timeout: 15_000 }, async () => {
  const before = statsOf('logged').length;
  const reading = readStream(`http://127.0.0.1:${port}/logged.ogg`, { seconds: 4 });
  assert.ok(await waitFor(() => statsOf('logged').slice(before).filter((s) => s.clients === 1).length >= 3, 6000), 'three stats lines with the listener connected');
  const lines = statsOf('logged').slice(before).filter((s) => s.clients === 1);
  const sent = lines.map((s) => s.bytesSent!);
  assert.ok(sent.every((n, i) => i === 0 || n > sent[i - 1]!), `bytesSent ${sent.join(', ')}`);
  const last = lines.at(-1)!;
  assert.ok(last.connects! >= 1 && last.peakClients! >= 1 && last.currentBitrate! > 0, JSON.stringify(last));
  const result = await reading;
  assert.equal(result.status, 200);
});

test('burst: a new listener gets headers and the latest sync page at once, in its first read', { timeout: 15_000 }, async () => {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const first = await new Promise<Buffer>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('connect', () => socket.write(get('/logged.ogg')));
    socket.once('data', resolve);
  });
  socket.destroy();
  const split = first.indexOf('\r\n\r\n');
  assert.ok(split > 0, 'the response header is in the first read');
  const body = first.subarray(split + 4);
  const pages = assertStartsWithVorbisHeaders(body, 'first read');
  const audio = audioPages(pages);
  assert.ok(audio.length >= 1, `the first read (${body.length} bytes, ${oggPages(body).length} pages) holds no audio page`);
  assert.equal(audio[0]!.flags & 0x01, 0, 'the first audio page does not continue a packet');
  assert.equal(pages.indexOf(audio[0]!), pages.filter((p) => p.granule === 0n).length, 'audio right after the header pages');
});
