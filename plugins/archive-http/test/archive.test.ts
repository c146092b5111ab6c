/**
 * archive-http in a real flow beside the recorder that fills its directory (producer-test →
 * encoder-vorbis → muxer-ogg → recorder-disk, rotate-time 2): listings, recordings byte for byte
 * with ranges and conditional requests, path-escape attempts, and listen-again across a file
 * boundary and on into the recording in progress, decoded by GStreamer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { appendLinesSync, CATALOG_FILE, jsonLine, readCatalog, readFileIndex, type Recording } from '@flowcast/core';
import { decodes, freePort, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';
import { assertContinuous, decodedSamples, pagesIn, request, ROOT, sleep, tempDir } from './support';

let port = 0;
let directory = '';
let flow: RunningFlow;

before(async () => {
  port = await freePort();
  directory = tempDir();
  flow = await startFlow(
    writeFlow(`name: archive
components:
  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  rec:
    type: recorder-disk
    eats: mux
    properties: { directory: ${JSON.stringify(directory)}, rotate-time: 2 }
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, port: ${port}, bind-address: 127.0.0.1 }
`),
    { cwd: ROOT },
  );
  // At least two whole closed recordings.
  for (let i = 0; i < 100 && readCatalog(directory).recordings.filter((r) => r.closed).length < 3; i++) await sleep(100);
});

after(async () => {
  assert.equal(await flow.stop(), 0, flow.stderr());
});

function closed(): Recording[] {
  return readCatalog(directory).recordings.filter((r) => r.closed);
}

test('the flow announces the archive; index.json lists the catalog; the HTML index links each recording', async () => {
  assert.ok(flow.urls.includes(`http://127.0.0.1:${port}/archive`), flow.stdout());
  const answer = await request(port, '/archive/index.json');
  assert.equal(answer.status, 200);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  const listing = JSON.parse(answer.body.toString()) as { recordings: { file: string; url: string; start: string; end: string | null; duration: number | null; size: number | null; closed: boolean }[] };
  const catalog = readCatalog(directory).recordings;
  const done = listing.recordings.filter((r) => r.closed);
  assert.ok(done.length >= 2);
  for (const r of done) {
    const c = catalog.find((x) => x.file === r.file)!;
    assert.deepEqual(r, { file: c.file, url: `/archive/${c.file}`, type: 'application/ogg', start: new Date(c.start).toISOString(), end: new Date(c.end!).toISOString(), duration: (c.end! - c.start) / 1000, size: c.size, closed: true });
  }
  const html = await request(port, '/archive');
  assert.equal(html.status, 200);
  assert.match(String(html.headers['content-type']), /^text\/html/);
  for (const r of done) assert.ok(html.body.toString().includes(`<a href="/archive/${r.file}">${r.file}</a>`));
});

test('a recording: GET byte for byte, HEAD, single, suffix, open-ended and multiple ranges, 416, a malformed range ignored', async () => {
  const recording = closed()[0]!;
  const bytes = fs.readFileSync(path.join(directory, recording.file));
  const url = `/archive/${recording.file}`;
  const whole = await request(port, url);
  assert.equal(whole.status, 200);
  assert.ok(whole.body.equals(bytes), 'the file byte for byte');
  assert.equal(whole.headers['content-type'], 'application/ogg');
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.equal(Number(whole.headers['content-length']), bytes.length);
  assert.match(String(whole.headers.etag), /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok(whole.headers['last-modified']);

  const head = await request(port, url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String(bytes.length));
  assert.equal(head.headers.etag, whole.headers.etag);

  const single = await request(port, url, { headers: { Range: 'bytes=100-1099' } });
  assert.equal(single.status, 206);
  assert.equal(single.headers['content-range'], `bytes 100-1099/${bytes.length}`);
  assert.ok(single.body.equals(bytes.subarray(100, 1100)));

  const suffix = await request(port, url, { headers: { Range: 'bytes=-500' } });
  assert.equal(suffix.status, 206);
  assert.ok(suffix.body.equals(bytes.subarray(bytes.length - 500)));
  const open = await request(port, url, { headers: { Range: `bytes=${bytes.length - 10}-` } });
  assert.equal(open.status, 206);
  assert.ok(open.body.equals(bytes.subarray(bytes.length - 10)));
  const past = await request(port, url, { headers: { Range: 'bytes=0-99999999' } });
  assert.equal(past.status, 206);
  assert.ok(past.body.equals(bytes), 'an end past the file is cut to it');

  const multiple = await request(port, url, { headers: { Range: 'bytes=0-9, 200-299, -5' } });
  assert.equal(multiple.status, 206);
  const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(String(multiple.headers['content-type']))?.[1];
  assert.ok(boundary, String(multiple.headers['content-type']));
  assert.equal(Number(multiple.headers['content-length']), multiple.body.length);
  const parts = multiple.body.toString('latin1').split(`--${boundary}`).slice(1, -1);
  const expected: [number, number][] = [
    [0, 9],
    [200, 299],
    [bytes.length - 5, bytes.length - 1],
  ];
  assert.equal(parts.length, 3);
  parts.forEach((part, i) => {
    const [start, end] = expected[i]!;
    const [head2, body] = part.split('\r\n\r\n') as [string, string];
    assert.match(head2, new RegExp(`Content-Range: bytes ${start}-${end}/${bytes.length}`));
    assert.match(head2, /Content-Type: application\/ogg/);
    assert.ok(Buffer.from(body.slice(0, -2), 'latin1').equals(bytes.subarray(start, end + 1)), `part ${i} byte for byte`);
  });
  assert.ok(multiple.body.toString('latin1').endsWith(`--${boundary}--\r\n`));

  const unsatisfiable = await request(port, url, { headers: { Range: `bytes=${bytes.length}-` } });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers['content-range'], `bytes */${bytes.length}`);
  for (const malformed of ['bytes=abc', 'bytes=10-5', 'items=0-10', 'bytes=--1']) {
    const ignored = await request(port, url, { headers: { Range: malformed } });
    assert.equal(ignored.status, 200, malformed);
    assert.ok(ignored.body.equals(bytes), `${malformed}: the whole file`);
  }
});

test('conditional requests: If-None-Match and If-Modified-Since answer 304, If-Range with an old tag sends it whole, If-Match fails with 412', async () => {
  const recording = closed()[0]!;
  const url = `/archive/${recording.file}`;
  const first = await request(port, url, { method: 'HEAD' });
  const tag = String(first.headers.etag);
  assert.equal((await request(port, url, { headers: { 'If-None-Match': tag } })).status, 304);
  assert.equal((await request(port, url, { headers: { 'If-None-Match': `"other", ${tag}` } })).status, 304);
  assert.equal((await request(port, url, { headers: { 'If-None-Match': '"other"' } })).status, 200);
  assert.equal((await request(port, url, { headers: { 'If-Modified-Since': String(first.headers['last-modified']) } })).status, 304);
  assert.equal((await request(port, url, { headers: { 'If-Modified-Since': new Date(Date.now() - 3_600_000).toUTCString() } })).status, 200);
  assert.equal((await request(port, url, { headers: { Range: 'bytes=0-9', 'If-Range': tag } })).status, 206);
  assert.equal((await request(port, url, { headers: { Range: 'bytes=0-9', 'If-Range': '"old"' } })).status, 200);
  assert.equal((await request(port, url, { headers: { 'If-Match': '"old"' } })).status, 412);
});

test('no path leaves the directory: .., encoded %2e%2e and %2f, NUL bytes, hidden and index files, a symlink pointing outside', async () => {
  const outside = path.join(tempDir('outside-'), 'secret.ogg');
  fs.writeFileSync(outside, 'secret');
  fs.symlinkSync(outside, path.join(directory, 'evil.ogg'));
  // Even listed in the catalog, a symlink out of the directory is not served.
  appendLinesSync(path.join(directory, CATALOG_FILE), jsonLine({ open: 'evil.ogg', type: 'application/ogg', start: 1 }));
  const attempts = [
    '/archive/../package.json',
    '/archive/..%2fpackage.json',
    '/archive/%2e%2e/%2e%2e/etc/passwd',
    '/archive/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/archive/%2E%2E%2Fcatalog.jsonl',
    '/archive/..%5c..%5cetc%5cpasswd',
    '/archive/%00',
    '/archive/x.ogg%00.ogg',
    '/archive/catalog.jsonl',
    `/archive/${closed()[0]!.file}.idx`,
    '/archive/.flowcast-probe',
    '/archive/evil.ogg',
    '/archive/%zz',
    `/archive/${closed()[0]!.file}/..`,
  ];
  for (const attempt of attempts) {
    const answer = await request(port, attempt);
    assert.ok(answer.status === 404 || answer.status === 400, `${attempt}: ${answer.status}`);
    assert.ok(!answer.body.toString().includes('secret') && !answer.body.toString().includes('root:'), attempt);
  }
});

test('listen again across a file boundary: from the requested moment (the page that holds it cut to its packets from there), one stream with the headers once, continuous, decoded whole', { timeout: 30_000 }, async () => {
  const recordings = closed();
  const at = recordings.findIndex((r, i) => i + 1 < recordings.length && readFileIndex(directory, r.file).syncs.length >= 2);
  assert.ok(at >= 0, 'two closed recordings, the first with two sync points');
  const [first, second] = [recordings[at]!, recordings[at + 1]!];
  const syncs = readFileIndex(directory, first.file).syncs;
  const start = syncs[1]!.w - 100; // 100 ms before a sync point of the first file: inside the page before it
  const duration = (second.end! - start) / 1000 - 0.7; // into the second file
  const answer = await request(port, `/archive?start=${new Date(start).toISOString()}&duration=${duration}`);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-type'], 'application/ogg');
  const { headers, data } = assertContinuous(answer.body, assert);
  const firstBytes = fs.readFileSync(path.join(directory, first.file));
  // The first page is the one before the sync point, cut: same place in the stream, fewer packets.
  const original = pagesIn(firstBytes.subarray(syncs[0]!.o, syncs[1]!.o)).find((p) => p.sequence === data[0]!.sequence);
  assert.ok(original, 'the first page is one of the pages that hold the start');
  assert.equal(data[0]!.granule, original.granule);
  assert.ok(data[0]!.length < original.length, 'the page is cut');
  const cutBody = data[0]!.bytes.subarray(27 + data[0]!.bytes[26]!);
  assert.ok(original.bytes.subarray(27 + original.bytes[26]!).subarray(-cutBody.length).equals(cutBody), 'to its last packets');
  assert.ok(data[1]!.bytes.equals(firstBytes.subarray(syncs[1]!.o, syncs[1]!.o + data[1]!.length)), 'then on from the sync point');
  const secondBytes = fs.readFileSync(path.join(directory, second.file));
  const secondHeaders = readFileIndex(directory, second.file).open!.headers;
  assert.ok(
    data.some((p) => p.bytes.equals(secondBytes.subarray(secondHeaders, secondHeaders + p.length))),
    'goes on into the second file',
  );
  const decoded = await decodes(answer.body);
  assert.ok(decoded.ok, decoded.output);
  // Samples decoded (GStreamer): those from the sync point on, as the granule positions count
  // them, and about 100 ms more before it (a Vorbis decoder starting mid-stream drops its first block).
  const body = headers[0]!.bytes.subarray(27 + headers[0]!.bytes[26]!);
  const channels = body[11]!;
  const rate = body.readUInt32LE(12);
  const fromSync = Number(data.at(-1)!.granule - original.granule);
  const samples = decodedSamples(answer.body, channels);
  const startError = ((fromSync + 0.1 * rate - samples) / rate) * 1000;
  assert.ok(Math.abs(startError) <= 100, `${samples} samples decoded, ${fromSync} from the sync point on: the start is ${startError.toFixed(0)} ms from the time asked`);
});

test('listen again without a duration goes on into the recording in progress, across rotations, as it is written', { timeout: 30_000 }, async () => {
  const answer = await request(port, '/archive?start=-3', { forMs: 4500 });
  assert.equal(answer.status, 200);
  const { data } = assertContinuous(answer.body.subarray(0, wholePages(answer.body)), assert);
  const stamps = data.filter((p) => p.granule > 0n).map((p) => Number(p.granule) / 44100);
  assert.ok(stamps.at(-1)! - stamps[0]! > 5, `covers ${stamps.at(-1)! - stamps[0]!} s: 3 s of archive and 4.5 s of following`);
  const decoded = await decodes(answer.body.subarray(0, wholePages(answer.body)));
  assert.ok(decoded.ok, decoded.output);
});

function wholePages(data: Buffer): number {
  let at = 0;
  for (;;) {
    if (at + 27 > data.length) return at;
    let length = 27 + data[at + 26]!;
    if (at + 27 + data[at + 26]! > data.length) return at;
    for (let i = 0; i < data[at + 26]!; i++) length += data[at + 27 + i]!;
    if (at + length > data.length) return at;
    at += length;
  }
}

test('listen again refuses a bad start or duration with 400, and a time before the archive with 404', async () => {
  assert.equal((await request(port, '/archive?start=yesterday')).status, 400);
  assert.equal((await request(port, '/archive?start=2026-12-01T10:00:00')).status, 400, 'a time without its zone');
  assert.equal((await request(port, `/archive?start=${new Date().toISOString()}&duration=-5`)).status, 400);
  assert.equal((await request(port, `/archive?start=${new Date().toISOString()}&duration=abc`)).status, 400);
  const early = await request(port, `/archive?start=2001-01-01T00:00:00Z&duration=60`);
  assert.equal(early.status, 404);
  assert.equal((await request(port, '/archive', { method: 'POST' })).status, 405);
});

test('the podcast feed is well-formed RSS with one enclosure per closed recording, and a hostile Host header stays out of it', async () => {
  const answer = await request(port, '/archive/feed.rss', { headers: { Host: `127.0.0.1:${port}` } });
  assert.equal(answer.status, 200);
  assert.match(String(answer.headers['content-type']), /^application\/rss\+xml/);
  const parsed = execFileSync('python3', ['-c', FEED_READER], { input: answer.body, encoding: 'utf8' });
  const items = JSON.parse(parsed) as { url: string; length: string; duration: string }[];
  const recordings = closed().filter((r) => r.file !== 'evil.ogg');
  assert.ok(items.length >= recordings.length - 1, `${items.length} items`);
  let matched = 0;
  for (const item of items) {
    const r = recordings.find((x) => item.url === `http://127.0.0.1:${port}/archive/${x.file}`);
    if (!r) continue; // closed after the catalog was read here
    matched++;
    assert.equal(Number(item.length), r.size);
    assert.equal(Number(item.duration), Math.round((r.end! - r.start) / 1000));
  }
  assert.ok(matched >= recordings.length - 1, `${matched} of ${recordings.length} recordings in the feed`);
  const hostile = await request(port, '/archive/feed.rss', { headers: { Host: 'evil"><script>x</script>' } });
  assert.equal(hostile.status, 200);
  assert.ok(!hostile.body.toString().includes('<script>'), 'the Host header is not echoed');
  execFileSync('python3', ['-c', FEED_READER], { input: hostile.body });
});

/** Parses the feed with Python's XML parser (it throws on anything not well-formed) and lists the items. */
const FEED_READER = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
ns = {'itunes': 'http://www.itunes.com/dtds/podcast-1.0.dtd'}
items = [{'url': i.find('enclosure').get('url'), 'length': i.find('enclosure').get('length'), 'duration': i.find('itunes:duration', ns).text} for i in root.iter('item')]
print(json.dumps(items))
`;

test('archive-http runs on its own in a flow (no pipeline), serving the same directory', { timeout: 30_000 }, async () => {
  const ownPort = await freePort();
  const own = await startFlow(
    writeFlow(`name: archive-only
components:
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, port: ${ownPort}, bind-address: 127.0.0.1, mount: /old }
`),
    { cwd: ROOT },
  );
  try {
    const recording = closed()[0]!;
    const answer = await request(ownPort, `/old/${recording.file}`);
    assert.equal(answer.status, 200);
    assert.ok(answer.body.equals(fs.readFileSync(path.join(directory, recording.file))));
  } finally {
    assert.equal(await own.stop(), 0, own.stderr());
  }
});
