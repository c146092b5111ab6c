/**
 * Now-playing titles, set while the flow runs through the component API (`flowcast set` and the
 * admin API's PATCH), as real players read them:
 * - MP3 and AAC: a client that sends `Icy-MetaData: 1` gets `icy-metaint` and a metadata block
 *   exactly every N bytes of its stream (checked byte by byte: the bytes between blocks are whole
 *   MP3 / ADTS frames end to end, and decode), first with the title set in the flow, then with the
 *   new one; a client that does not ask gets the plain stream; ffprobe and GStreamer's icydemux
 *   read the title.
 * - Ogg Vorbis and Opus: the change starts a new chained logical stream (new serial, rebuilt
 *   comments); GStreamer's playbin shows both titles and decodes across the boundary, ffmpeg
 *   decodes across it and reports the metadata update, and a new listener's ffprobe shows the
 *   new title; Chromium's <audio> plays on across a chain boundary.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { freePort, startServe, type ServeProcess } from '@flowcast/core/testing';
import { ChromiumPage } from './support/chromium-cdp';

const run = promisify(execFile);
const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-now-playing-'));
const FIRST = { title: 'First song – café', artist: 'Ünïcode Band' };
const SECOND = 'Second song';

let serve: ServeProcess;
let streamPort: number;
let env: Record<string, string>;
let admin: string;
const captures = new Map<string, Promise<Captured>>();

function flow(port: number): string {
  const streamer = (mount: string, more: string) => `{ mount: ${mount}, port: ${port}, bind-address: 127.0.0.1, title: "${FIRST.title}", artist: "${FIRST.artist}"${more} }`;
  return `name: radio
components:
  tone: { type: producer-test, properties: { wave: sine, frequency: 440 } }
  mp3: { type: encoder-mp3, eats: tone }
  web-mp3: { type: streamer-http, eats: mp3, properties: ${streamer('/radio.mp3', ', icy-metaint: 1000')} }
  aac: { type: encoder-aac, eats: tone }
  web-aac: { type: streamer-http, eats: aac, properties: ${streamer('/radio.aac', ', icy-metaint: 2000')} }
  vorbis: { type: encoder-vorbis, eats: tone }
  ogg: { type: muxer-ogg, eats: vorbis }
  web-ogg: { type: streamer-http, eats: ogg, properties: ${streamer('/radio.ogg', '')} }
  opus: { type: encoder-opus, eats: tone }
  opus-ogg: { type: muxer-ogg, eats: opus }
  web-opus: { type: streamer-http, eats: opus-ogg, properties: ${streamer('/radio.opus', '')} }
`;
}

interface Captured {
  headers: Map<string, string>;
  body: Buffer;
}

/** GET `mount` with raw TCP for `ms`, with extra request headers; the response split into headers and body. */
function capture(mount: string, ms: number, extra = ''): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: streamPort, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(`GET ${mount} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: now-playing-test\r\n${extra}\r\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`${mount}: no response head in ${all.length} bytes`));
      const headers = new Map<string, string>();
      for (const line of all.toString('latin1', 0, split).split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ headers, body: all.subarray(split + 4) });
    }, ms);
  });
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, ...env, FLOWCAST_TOKEN: admin }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(async () => {
  streamPort = await freePort();
  const adminPort = await freePort();
  const flows = path.join(scratch, 'flows');
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(flows, 'radio.yaml'), flow(streamPort));
  env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort), FLOWCAST_ADMIN_URL: `http://127.0.0.1:${adminPort}` };
  admin = spawnSync(process.execPath, [CLI, 'token', 'create', 'ops', '--role', 'admin'], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  serve = startServe([flows], { cwd: REPO, env });
  await serve.waitFor(/flow "radio" is running/, 30_000);
  await serve.waitFor(/admin API and dashboard/, 10_000);
  // Every mount answers HEAD with 200 once its format is known.
  for (const mount of ['/radio.mp3', '/radio.aac', '/radio.ogg', '/radio.opus']) {
    const end = Date.now() + 15_000;
    while ((await fetch(`http://127.0.0.1:${streamPort}${mount}`, { method: 'HEAD' })).status !== 200) {
      assert.ok(Date.now() < end, `${mount} did not become ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Readers connect with the first title, the title changes 3 s later, they read 4 s more.
  captures.set('icy-mp3', capture('/radio.mp3', 7000, 'Icy-MetaData: 1\r\n'));
  captures.set('plain-mp3', capture('/radio.mp3', 7000));
  captures.set('icy-aac', capture('/radio.aac', 7000, 'Icy-MetaData: 1\r\n'));
  captures.set('ogg', capture('/radio.ogg', 7000));
  captures.set('opus', capture('/radio.opus', 7000));
  await new Promise((r) => setTimeout(r, 3000));
  for (const component of ['web-mp3', 'web-aac']) {
    const set = cli(['set', 'radio', component, 'title', SECOND]);
    assert.equal(set.status, 0, set.stderr);
  }
  for (const component of ['web-ogg', 'web-opus']) {
    const response = await fetch(`${env.FLOWCAST_ADMIN_URL}/api/flows/radio/components/${component}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: SECOND }),
    });
    assert.equal(response.status, 200, await response.text());
  }
  await Promise.all(captures.values());
});

after(async () => {
  await serve?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Split an ICY body at every `interval` bytes: the stream between the blocks, and each block's text. */
function splitIcy(body: Buffer, interval: number): { audio: Buffer; blocks: string[] } {
  const pieces: Buffer[] = [];
  const blocks: string[] = [];
  let at = 0;
  while (at + interval < body.length) {
    pieces.push(body.subarray(at, at + interval));
    at += interval;
    const length = body[at]! * 16;
    assert.ok(at + 1 + length <= body.length || blocks.length > 0, 'a whole first block');
    const text = body.subarray(at + 1, at + 1 + length);
    const end = text.indexOf(0);
    if (end >= 0) assert.ok(text.subarray(end).every((b) => b === 0), 'a block is padded with zeros only');
    blocks.push(text.subarray(0, end >= 0 ? end : text.length).toString('utf8'));
    at += 1 + length;
  }
  return { audio: Buffer.concat(pieces), blocks };
}

/** The lengths of MPEG audio layer III frames, end to end from the first byte; throws where a frame does not start. */
function mp3Frames(data: Buffer): number {
  const bitrates = { 1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], 2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] };
  const rates = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as Record<number, number[]>;
  let at = 0;
  let frames = 0;
  while (at + 4 <= data.length) {
    assert.ok(data[at] === 0xff && (data[at + 1]! & 0xe0) === 0xe0, `an MP3 frame starts at byte ${at}`);
    const version = (data[at + 1]! >> 3) & 3;
    assert.equal((data[at + 1]! >> 1) & 3, 1, 'layer III');
    const bitrate = (version === 3 ? bitrates[1] : bitrates[2])[data[at + 2]! >> 4]! * 1000;
    const rate = rates[version]![(data[at + 2]! >> 2) & 3]!;
    const padding = (data[at + 2]! >> 1) & 1;
    const length = Math.floor(((version === 3 ? 144 : 72) * bitrate) / rate) + padding;
    assert.ok(length > 4, `a frame length at byte ${at}`);
    at += length;
    frames++;
  }
  return frames;
}

/** ADTS frames end to end from the first byte; throws where a frame does not start. */
function adtsFrames(data: Buffer): number {
  let at = 0;
  let frames = 0;
  while (at + 7 <= data.length) {
    assert.ok(data[at] === 0xff && (data[at + 1]! & 0xf6) === 0xf0, `an ADTS frame starts at byte ${at}`);
    const length = ((data[at + 3]! & 3) << 11) | (data[at + 4]! << 3) | (data[at + 5]! >> 5);
    assert.ok(length > 7, `an ADTS frame length at byte ${at}`);
    at += length;
    frames++;
  }
  return frames;
}

function checkTitles(blocks: string[]): void {
  const texts = blocks.filter((b) => b !== '');
  assert.equal(blocks[0], `StreamTitle='${FIRST.artist} - ${FIRST.title}';`, 'the first block carries the title set in the flow');
  assert.deepEqual(texts, [`StreamTitle='${FIRST.artist} - ${FIRST.title}';`, `StreamTitle='${FIRST.artist} - ${SECOND}';`], 'each title once, in order; empty blocks between');
}

async function decodes(data: Buffer, suffix: string, pipeline: string): Promise<void> {
  const file = path.join(scratch, `decode-${Math.random().toString(36).slice(2)}${suffix}`);
  fs.writeFileSync(file, data);
  await run('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', ...pipeline.split(' '), '!', 'fakesink']);
}

test('MP3 with Icy-MetaData: 1: a block every icy-metaint bytes, whole frames between them, the title, then the new one', async () => {
  const { headers, body } = await captures.get('icy-mp3')!;
  assert.equal(headers.get('content-type'), 'audio/mpeg');
  assert.equal(headers.get('icy-metaint'), '1000');
  assert.ok(body.length > 50_000, `${body.length} bytes in 7 s`);
  const { audio, blocks } = splitIcy(body, 1000);
  assert.ok(blocks.length >= 40, `${blocks.length} blocks`);
  checkTitles(blocks);
  const frames = mp3Frames(audio);
  assert.ok(frames > 200, `${frames} frames`);
  await decodes(audio, '.mp3', 'mpegaudioparse ! mpg123audiodec');
});

test('players read the ICY title: ffprobe (its http protocol asks for ICY metadata) and GStreamer (souphttpsrc iradio-mode, icydemux)', async () => {
  const url = `http://127.0.0.1:${streamPort}/radio.mp3`;
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', url], { timeout: 20_000 });
  assert.equal((JSON.parse(stdout) as { format: { tags: Record<string, string> } }).format.tags.StreamTitle, `${FIRST.artist} - ${SECOND}`);
  const gst = await run('gst-launch-1.0', ['-t', 'souphttpsrc', `location=${url}`, 'iradio-mode=true', 'num-buffers=8', '!', 'icydemux', '!', 'fakesink'], { timeout: 30_000 });
  assert.match(gst.stdout, new RegExp(`title: ${FIRST.artist} - ${SECOND}`));
});

test('MP3 without Icy-MetaData: the plain stream, no icy-metaint', async () => {
  const { headers, body } = await captures.get('plain-mp3')!;
  assert.equal(headers.get('icy-metaint'), undefined);
  assert.ok(mp3Frames(body) > 200);
  assert.equal(body.indexOf('StreamTitle'), -1);
});

test('AAC (ADTS, audio/aac) with Icy-MetaData: 1: blocks every icy-metaint bytes, whole ADTS frames between them', async () => {
  const { headers, body } = await captures.get('icy-aac')!;
  assert.equal(headers.get('content-type'), 'audio/aac');
  assert.equal(headers.get('icy-metaint'), '2000');
  const { audio, blocks } = splitIcy(body, 2000);
  assert.ok(blocks.length >= 20, `${blocks.length} blocks`);
  checkTitles(blocks);
  assert.ok(adtsFrames(audio) > 150);
  await decodes(audio, '.aac', 'aacparse ! faad');
});

/** Ogg's CRC-32, bit by bit (independent of the server's table). */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

interface Page {
  flags: number;
  serial: number;
  sequence: number;
  body: Buffer;
}

/** Every page, checked: contiguous, checksums right, sequence numbers without gaps within a serial. */
function oggPages(data: Buffer): Page[] {
  const pages: Page[] = [];
  const lastSequence = new Map<number, number>();
  let at = 0;
  while (at + 27 <= data.length) {
    assert.equal(data.toString('latin1', at, at + 4), 'OggS', `a page at byte ${at}`);
    const segments = data[at + 26]!;
    let length = 27 + segments;
    for (let i = 0; i < segments; i++) length += data[at + 27 + i]!;
    if (at + length > data.length) break;
    const page = Buffer.from(data.subarray(at, at + length));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    assert.equal(oggCrc(page), crc, `the checksum of the page at byte ${at}`);
    const serial = page.readUInt32LE(14);
    const sequence = page.readUInt32LE(18);
    const previous = lastSequence.get(serial);
    if (previous !== undefined && (page[5]! & 0x02) === 0) assert.equal(sequence, previous + 1, `page sequence of serial ${serial.toString(16)}`);
    lastSequence.set(serial, sequence);
    pages.push({ flags: page[5]!, serial, sequence, body: page.subarray(27 + segments) });
    at += length;
  }
  return pages;
}

async function playbinTags(data: Buffer, suffix: string): Promise<{ titles: string[]; seconds: number }> {
  const file = path.join(scratch, `play-${Math.random().toString(36).slice(2)}${suffix}`);
  const raw = `${file}.raw`;
  fs.writeFileSync(file, data);
  const { stdout } = await run('gst-launch-1.0', ['-t', 'playbin', `uri=file://${file}`, `audio-sink=audioconvert ! audioresample ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! filesink location=${raw}`]);
  const titles = [...stdout.matchAll(/^\s*title: (.*)$/gm)].map((m) => m[1]!.trim());
  return { titles: [...new Set(titles)], seconds: fs.statSync(raw).size / 2 / 48000 };
}

async function ffmpegSeconds(data: Buffer, suffix: string): Promise<{ seconds: number; updates: number }> {
  const file = path.join(scratch, `ff-${Math.random().toString(36).slice(2)}${suffix}`);
  fs.writeFileSync(file, data);
  await run('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 's16le', '-y', `${file}.raw`]);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_packets', '-show_entries', 'packet=pts_time:packet_side_data=side_data_type', '-of', 'compact', file]);
  return { seconds: fs.statSync(`${file}.raw`).size / 2 / 48000, updates: stdout.split('\n').filter((l) => l.includes('Metadata Update')).length };
}

for (const [name, mount, suffix, codecMagic] of [
  ['Vorbis', '/radio.ogg', '.ogg', '\x03vorbis'],
  ['Opus', '/radio.opus', '.opus', 'OpusTags'],
] as const) {
  test(`Ogg ${name}: a title change starts a new chained stream with the new comments; players show it and decode across`, async () => {
    const { body } = await captures.get(name === 'Vorbis' ? 'ogg' : 'opus')!;
    const pages = oggPages(body);
    const starts = pages.map((p, i) => [p, i] as const).filter(([p]) => p.flags & 0x02);
    assert.equal(starts.length, 2, 'two logical streams: the first title, then the new one');
    const [[first], [second, secondAt]] = starts as [[Page, number], [Page, number]];
    assert.notEqual(first.serial, second.serial);
    assert.ok(pages[secondAt - 1]!.flags & 0x04, 'the first stream ends (end-of-stream page) where the second begins');
    const comments = (serial: number): string => pages.filter((p) => p.serial === serial).map((p) => p.body.toString('utf8')).find((b) => b.includes(codecMagic)) ?? '';
    assert.match(comments(first.serial), new RegExp(`TITLE=${FIRST.title}`));
    assert.match(comments(first.serial), new RegExp(`ARTIST=${FIRST.artist}`));
    assert.match(comments(second.serial), new RegExp(`TITLE=${SECOND}`));
    assert.match(comments(second.serial), new RegExp(`ARTIST=${FIRST.artist}`), 'the artist stays');
    const dataPages = pages.slice(secondAt).filter((p) => p.serial === second.serial && p.body.length > 0);
    assert.ok(dataPages.length >= 4, `${dataPages.length} pages of the second stream`);

    const played = await playbinTags(body, suffix);
    assert.deepEqual(played.titles, [FIRST.title, SECOND], 'playbin shows the first title, then the new one');
    const ffmpeg = await ffmpegSeconds(body, suffix);
    // ffmpeg (5.1) reports a metadata update at a new Vorbis link; its Opus parser takes the new
    // comments without saying so.
    if (name === 'Vorbis') assert.ok(ffmpeg.updates >= 1, 'ffmpeg reports the metadata update');
    // 7 s read, with a burst of a second or so before: both decoders go on past the boundary.
    for (const [who, seconds] of [['playbin', played.seconds], ['ffmpeg', ffmpeg.seconds]] as const) {
      assert.ok(seconds > 6, `${who} decoded ${seconds.toFixed(2)} s of ${name} across the chain`);
    }

    // A new listener gets the current headers: ffprobe reads the new title.
    const late = await capture(mount, 1500);
    const file = path.join(scratch, `late${suffix}`);
    fs.writeFileSync(file, late.body);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream_tags', '-of', 'json', file]);
    const tags = (JSON.parse(stdout) as { streams: { tags: Record<string, string> }[] }).streams[0]!.tags;
    assert.equal(tags.TITLE, SECOND);
    assert.equal(tags.ARTIST, FIRST.artist);
  });
}

test("Chromium's <audio> plays on across a title change of an Ogg Vorbis stream", { timeout: 60_000 }, async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-chromium-'));
  const page = await ChromiumPage.open(profile);
  try {
    // A page of the stream's own origin (the front's 404 page): about:blank may not load media.
    await page.navigate(`http://127.0.0.1:${streamPort}/no-such-page`);
    await page.evaluate(`(() => {
      const audio = document.createElement('audio');
      audio.id = 'player';
      audio.src = 'http://127.0.0.1:${streamPort}/radio.ogg';
      document.body.append(audio);
      void audio.play();
      return true;
    })()`);
    await page.waitUntil(`document.getElementById('player').currentTime > 1`, 20_000);
    const before = await page.evaluate<number>(`document.getElementById('player').currentTime`);
    const response = await fetch(`${env.FLOWCAST_ADMIN_URL}/api/flows/radio/components/web-ogg`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Third song' }),
    });
    assert.equal(response.status, 200);
    // The Vorbis pages come every half second or so: the new stream starts within a second.
    await new Promise((r) => setTimeout(r, 4000));
    const after = await page.evaluate<{ time: number; error: number | null; paused: boolean; ended: boolean }>(
      `(() => { const a = document.getElementById('player'); return { time: a.currentTime, error: a.error && a.error.code, paused: a.paused, ended: a.ended }; })()`,
    );
    assert.equal(after.error, null, 'no media error');
    assert.equal(after.ended, false);
    assert.ok(after.time - before > 3, `played ${(after.time - before).toFixed(2)} s in the 4 s across the change (${JSON.stringify(after)})`);
  } finally {
    await page.close();
    // Chromium's helper processes may still be writing to the profile after the browser has exited.
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
});
