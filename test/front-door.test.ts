/**
 * The front door under attack: hostile and odd clients against a real running flow, with the
 * deadlines shortened through the environment so the suite stays quick. One test per defect of
 * issue 12 and per behaviour that already held. The large run (20,000 connections) is
 * bench/src/attack.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';
import { rawRequest } from './support/raw-client';

const REPO = path.join(__dirname, '..', '..');
const MOUNT = '/live.ogg';
const HEAD_TIMEOUT_S = 1;
const MAX_PENDING_PER_ADDRESS = 40;
const MAX_PENDING = 100;
let port: number;
let flow: RunningFlow;
let logs: string;

const flowYaml = (p: number): string => `name: front-door
components:
  tone: { type: producer-test, properties: { wave: sine, frequency: 440 } }
  encoder: { type: encoder-vorbis, eats: tone }
  muxer: { type: muxer-ogg, eats: encoder }
  web:
    type: streamer-http
    eats: muxer
    properties: { mount: ${MOUNT}, port: ${p}, access-log: access.log }
`;

before(async () => {
  port = await freePort();
  const file = writeFlow(flowYaml(port));
  logs = path.join(path.dirname(file), 'logs');
  flow = await startFlow(file, {
    cwd: REPO,
    env: {
      FLOWCAST_LOG_DIR: logs,
      FLOWCAST_STATS_INTERVAL: '1',
      FLOWCAST_HTTP_HEAD_TIMEOUT: String(HEAD_TIMEOUT_S),
      FLOWCAST_HTTP_REQUEST_TIMEOUT: '2',
      FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: String(MAX_PENDING_PER_ADDRESS),
      FLOWCAST_HTTP_MAX_PENDING: String(MAX_PENDING),
    },
  });
  // The mount answers 503 until the stream's headers are known.
  for (let i = 0; i < 100 && (await get(`HEAD ${MOUNT}`)).status !== 200; i++) await sleep(100);
});

after(async () => {
  assert.equal(await flow.stop(), 0);
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const request = (line: string, headers = ''): string => `${line} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`;
const get = (line: string, headers = ''): ReturnType<typeof rawRequest> => rawRequest(port, request(line, headers), { waitMs: 3000, maxBytes: 16_384 });
const accessLines = (): string[] => (fs.existsSync(path.join(logs, 'access.log')) ? fs.readFileSync(path.join(logs, 'access.log'), 'latin1').split('\n').filter(Boolean) : []);
const logRecords = (): Record<string, unknown>[] =>
  flow
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const streams = (outcome: { status: number; headers: Map<string, string>; body: Buffer }): boolean =>
  outcome.status === 200 && outcome.headers.get('content-type') === 'application/ogg' && outcome.body.subarray(0, 4).toString('latin1') === 'OggS';

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

// 1. Head deadlines on every path

test('a head that keeps growing, a byte at a time, is answered 408 and closed at the head deadline', { timeout: 10_000 }, async () => {
  const outcome = await rawRequest(port, `GET ${MOUNT} HTTP/1.1\r\nX-Slow: `, { dripBytes: 1, dripMs: 100, dripForever: 'a', waitMs: 5000 });
  assert.ok(outcome.closedByServer, 'the server closed it');
  assert.equal(outcome.status, 408);
  assert.ok(outcome.elapsedMs >= HEAD_TIMEOUT_S * 1000 - 100 && outcome.elapsedMs < HEAD_TIMEOUT_S * 1000 + 1500, `closed after ${outcome.elapsedMs} ms`);
});

test('a connection that sends nothing is closed at the head deadline, after the kernel held it for a second (deferred accept)', { timeout: 10_000 }, async () => {
  const outcome = await rawRequest(port, '', { waitMs: 6000 });
  assert.ok(outcome.closedByServer);
  const deferredMs = 1000;
  // The head deadline starts only when the kernel hands the connection over: later than it would without the deferred accept.
  assert.ok(outcome.elapsedMs >= deferredMs + HEAD_TIMEOUT_S * 1000 - 300 && outcome.elapsedMs < deferredMs + HEAD_TIMEOUT_S * 1000 + 1500, `closed after ${outcome.elapsedMs} ms`);
});

test('keep-alive: an answer that is not a stream closes the connection, so a second request cannot linger on it', { timeout: 10_000 }, async () => {
  // A 404 with a second request pipelined behind it, then more of a third dripped: only the 404 is answered.
  const outcome = await rawRequest(port, request('GET /nothing-here') + request(`GET ${MOUNT}`) + 'GET /x HTTP/1.1\r\n', { dripBytes: 1 << 16, dripMs: 200, dripForever: 'X: y\r\n', waitMs: 5000 });
  assert.equal(outcome.status, 404);
  assert.equal(outcome.headers.get('connection'), 'close');
  assert.equal(outcome.body.toString('latin1').includes('HTTP/1.'), false, `one response only: ${outcome.body.toString('latin1')}`);
  assert.ok(outcome.closedByServer && outcome.elapsedMs < 1000, `closed after ${outcome.elapsedMs} ms`);
});

test('a POST with a huge Content-Length whose body drips is answered at once and closed', { timeout: 10_000 }, async () => {
  const outcome = await rawRequest(port, request(`POST ${MOUNT}`, 'Content-Length: 100000000\r\n'), { dripBytes: 1 << 20, dripMs: 10, dripForever: 'x', waitMs: 5000 });
  assert.equal(outcome.status, 405);
  assert.ok(outcome.closedByServer && outcome.elapsedMs < 2500, `closed after ${outcome.elapsedMs} ms`);
});

test('hundreds of dripping heads from one host: beyond the per-address limit refused at once, all closed by the deadline, and a listener elsewhere is served meanwhile', { timeout: 30_000 }, async () => {
  const attackers = Array.from({ length: 200 }, () => rawRequest(port, `GET ${MOUNT} HTTP/1.1\r\nX: `, { localAddress: '127.0.0.2', dripBytes: 1, dripMs: 300, dripForever: 'a', waitMs: 8000 }));
  await sleep(300);
  const started = Date.now();
  const listener = await rawRequest(port, request(`GET ${MOUNT}`), { waitMs: 3000, maxBytes: 4096 });
  assert.ok(streams(listener), `a listener from another address gets the stream: ${listener.head}`);
  assert.ok(Date.now() - started < 2000);
  const outcomes = await Promise.all(attackers);
  assert.ok(outcomes.every((o) => o.closedByServer), 'every attacking connection was closed by the server');
  const refusedAtOnce = outcomes.filter((o) => o.status === 0 && o.elapsedMs < 500).length;
  const timedOut = outcomes.filter((o) => o.status === 408).length;
  assert.ok(timedOut >= MAX_PENDING_PER_ADDRESS - 5 && timedOut <= MAX_PENDING_PER_ADDRESS, `${timedOut} heads timed out`);
  assert.ok(refusedAtOnce >= 200 - MAX_PENDING_PER_ADDRESS - 5, `${refusedAtOnce} refused at once`);
  assert.ok(outcomes.every((o) => o.elapsedMs < HEAD_TIMEOUT_S * 1000 + 2000), 'none outlived the head deadline');

  // Overload is visible: the stats line of the front, and warnings that do not flood the log.
  assert.ok(
    await waitFor(() => logRecords().some((r) => r.msg === 'stats' && r.component === 'http' && Number(r.refusedConnections) > 0 && Number(r.headTimeouts) >= timedOut), 3000),
    'a stats line of the front shows the refused connections and the head timeouts',
  );
  const last = logRecords().filter((r) => r.msg === 'stats' && r.component === 'http').at(-1)!;
  assert.equal(last.pendingHeads, 0, 'no head pending once the attack is over');
  assert.ok(Number(last.peakPendingHeads) >= MAX_PENDING_PER_ADDRESS);
  assert.ok(Number(last.openFiles) > 0 && Number(last.openFilesLimit) > 0, JSON.stringify(last));
  const refusedWarnings = logRecords().filter((r) => r.level === 'warn' && String(r.msg).startsWith('connection refused'));
  assert.ok(refusedWarnings.length >= 1 && refusedWarnings.length <= 2, `${refusedWarnings.length} warnings about refused connections (rate limited)`);
});

test('slow heads from many addresses: past the total limit the oldest are closed, and a listener with a whole head is still served', { timeout: 30_000 }, async () => {
  const attackers = Array.from({ length: 150 }, (_, i) => rawRequest(port, `GET ${MOUNT} HTTP/1.1\r\nX: `, { localAddress: `127.0.2.${i + 1}`, dripBytes: 1, dripMs: 300, dripForever: 'a', waitMs: 8000 }));
  await sleep(500);
  const listener = await rawRequest(port, request(`GET ${MOUNT}`), { waitMs: 3000, maxBytes: 4096 });
  assert.ok(streams(listener), `a listener with its whole head gets the stream: ${listener.head}`);
  const outcomes = await Promise.all(attackers);
  assert.ok(outcomes.every((o) => o.closedByServer), 'every attacking connection was closed by the server');
  const evicted = outcomes.filter((o) => o.status === 0 && o.elapsedMs < HEAD_TIMEOUT_S * 1000 - 100).length;
  assert.ok(evicted >= 150 - MAX_PENDING, `${evicted} closed before the deadline to make room`);
  assert.ok(
    await waitFor(() => logRecords().some((r) => r.msg === 'stats' && r.component === 'http' && Number(r.evictedHeads) >= 150 - MAX_PENDING), 3000),
    'the stats line counts the evicted heads',
  );
});

// 2. Every valid HTTP/1.x request for a mount gets the stream

test('an absolute-form target (as proxies send it) gets the stream, for GET and HEAD', { timeout: 10_000 }, async () => {
  assert.ok(streams(await get(`GET http://127.0.0.1:${port}${MOUNT}`)));
  const head = await get(`HEAD http://127.0.0.1:${port}${MOUNT}`);
  assert.equal(head.status, 200, head.head);
  assert.equal(head.headers.get('content-type'), 'application/ogg');
});

test('a #fragment in the target is ignored: the stream', { timeout: 10_000 }, async () => {
  assert.ok(streams(await get(`GET ${MOUNT}#now`)));
  assert.ok(streams(await get(`GET ${MOUNT}?x=1#now`)));
});

test('curl URL1 URL2: a 404, then the stream (curl reconnects after Connection: close)', { timeout: 15_000 }, async () => {
  const result = spawnSync('curl', ['-sS', '-o', '/dev/null', '-o', '/dev/null', '-w', '%{http_code}:%{num_connects}\\n', '--max-time', '3', `http://127.0.0.1:${port}/nothing`, `http://127.0.0.1:${port}${MOUNT}`], { encoding: 'utf8' });
  // curl ends the live stream at --max-time (exit 28) after its status is known.
  assert.deepEqual(result.stdout.trim().split('\n'), ['404:1', '200:1'], result.stderr);
});

test('HTTP/2.0 in the request line: 505 at once', { timeout: 10_000 }, async () => {
  const outcome = await rawRequest(port, `GET ${MOUNT} HTTP/2.0\r\nHost: x\r\n\r\n`);
  assert.equal(outcome.status, 505);
  assert.ok(outcome.closedByServer && outcome.elapsedMs < 500);
});

// 3. A half-close is not a departure

test('a client that half-closes after its request gets the stream, and the access log counts what it got', { timeout: 15_000 }, async () => {
  const agent = `half-closer-${Date.now()}`;
  const outcome = await rawRequest(port, request(`GET ${MOUNT}`, `User-Agent: ${agent}\r\n`), { halfClose: true, waitMs: 2000 });
  assert.ok(streams(outcome), outcome.head);
  assert.ok(outcome.body.length > 4000, `${outcome.body.length} bytes`);
  assert.ok(await waitFor(() => accessLines().some((l) => l.includes(agent)), 5000));
  const line = accessLines().find((l) => l.includes(agent))!;
  const bytes = Number(/" 200 (\d+) /.exec(line)?.[1]);
  assert.ok(bytes >= outcome.body.length, `logged ${bytes}, received ${outcome.body.length}: ${line}`);
});

// 4. Limits on each line and on the head, whatever the reads

test('a 60 KB User-Agent arriving in one write: 431, and nothing of it reaches the access log', { timeout: 10_000 }, async () => {
  const huge = 'U'.repeat(60 * 1024);
  const outcome = await rawRequest(port, request(`GET ${MOUNT}`, `User-Agent: ${huge}\r\n`));
  assert.equal(outcome.status, 431);
  await sleep(300);
  assert.ok(accessLines().every((l) => !l.includes('UUUUUUUUUUUUUUUUUUUU'.repeat(10))), 'no access-log line carries the huge field');
});

test('a head over 16 KB sent in small pieces is answered 431 as soon as it passes the limit', { timeout: 10_000 }, async () => {
  const lines = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(500)}\r\n`).join('');
  const outcome = await rawRequest(port, `GET ${MOUNT} HTTP/1.1\r\n${lines}\r\n`, { dripBytes: 2048, dripMs: 20, waitMs: 5000 });
  assert.equal(outcome.status, 431);
  assert.ok(outcome.elapsedMs < HEAD_TIMEOUT_S * 1000, `answered after ${outcome.elapsedMs} ms`);
});

test('one request cannot write a long access-log line: each field is cut at 1000 characters', { timeout: 15_000 }, async () => {
  const agent = `long-agent-${Date.now()}-${'a'.repeat(4000)}`;
  await rawRequest(port, request(`GET ${MOUNT}`, `User-Agent: ${agent}\r\n`), { waitMs: 500 });
  assert.ok(await waitFor(() => accessLines().some((l) => l.includes(agent.slice(0, 30))), 5000));
  const line = accessLines().find((l) => l.includes(agent.slice(0, 30)))!;
  assert.ok(line.length < 1500, `${line.length} characters`);
  assert.ok(line.includes(`${agent.slice(0, 1000)}..."`));
});

// 5 and 6. Odd heads answered at once; the access log writes the bytes that came

test('a head with bare LF line ends, an HTTP/0.9 request, and binary garbage get 400 at once', { timeout: 10_000 }, async () => {
  for (const bad of [`GET ${MOUNT} HTTP/1.1\nHost: x\n\n`, `GET ${MOUNT}\r\n`, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])]) {
    const outcome = await rawRequest(port, bad);
    assert.equal(outcome.status, 400, `${JSON.stringify(bad.toString())}: ${outcome.head}`);
    assert.ok(outcome.closedByServer && outcome.elapsedMs < 500, `${JSON.stringify(bad.toString())}: answered after ${outcome.elapsedMs} ms`);
  }
});

test('the access log writes non-ASCII, DEL and C1 bytes as \\xhh, never re-encoded', { timeout: 15_000 }, async () => {
  const marker = `bytes-${Date.now()}`;
  const agent = Buffer.concat([Buffer.from(`${marker} caf`), Buffer.from('é', 'utf8'), Buffer.from([0x7f, 0x85, 0x9b]), Buffer.from(' "q" \\')]);
  const head = Buffer.concat([Buffer.from(`GET ${MOUNT} HTTP/1.1\r\nHost: x\r\nUser-Agent: `), agent, Buffer.from('\r\n\r\n')]);
  await rawRequest(port, head, { waitMs: 500 });
  assert.ok(await waitFor(() => accessLines().some((l) => l.includes(marker)), 5000));
  const line = accessLines().find((l) => l.includes(marker))!;
  assert.ok(line.includes(`"${marker} caf\\xc3\\xa9\\x7f\\x85\\x9b \\"q\\" \\\\"`), line);
  assert.ok(/^[\x20-\x7e]*$/.test(line), 'the line is printable ASCII');
});

// What already held, kept

test('PUT and DELETE on a mount: 405; paths that try to leave a mount: 404', { timeout: 15_000 }, async () => {
  for (const method of ['PUT', 'DELETE']) assert.equal((await get(`${method} ${MOUNT}`)).status, 405, method);
  for (const trick of [`/../live.ogg`, `${MOUNT}/..`, `/${MOUNT}`, '/%2e%2e/live.ogg', `${MOUNT}%00`, `${MOUNT}/../../etc/passwd`]) {
    assert.equal((await get(`GET ${trick}`)).status, 404, trick);
  }
});

test('the stream stays up for its listeners through all of the above', { timeout: 10_000 }, async () => {
  assert.ok(streams(await get(`GET ${MOUNT}`)));
  assert.equal(flow.process.exitCode, null);
});
