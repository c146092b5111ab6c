import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, probe, startFlow, writeFlow } from '@flowcast/core/testing';
import { routeOf } from '../src/routes';
import { describeSegment } from '../src/segment-codecs';

interface ParsedPlaylist {
  targetDuration?: number;
  mediaSequence?: number;
  segments: { uri: string; duration: number }[];
  playlists?: { uri: string; attributes: { BANDWIDTH?: number; 'AVERAGE-BANDWIDTH'?: number | string; CODECS?: string; RESOLUTION?: { width: number; height: number } } }[];
}
// m3u8-parser (video.js's playlist parser, as players use it) has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Parser } = require('m3u8-parser') as { Parser: new () => { push(text: string): void; end(): void; manifest: ParsedPlaylist } };

function parse(text: string): ParsedPlaylist {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest;
}

async function get(url: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** GET `url` until it answers 200 (the first segments take a moment). */
async function whenReady(url: string, seconds = 20): Promise<Buffer> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const { status, body } = await get(url);
    if (status === 200) return body;
    assert.equal(status, 503, `${url}: ${body.toString()}`);
    assert.ok(Date.now() < until, `${url} was not ready in ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function hlsDirectories(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('flowcast-hls-'));
}

test('streamer-hls: two H.264 renditions with AAC: master and live playlists a player parses, keyframe-first segments, cache headers, old segments removed', { timeout: 90_000 }, async () => {
  const before = hlsDirectories();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/tv`;
  const flow = await startFlow(
    writeFlow(`name: hls-test
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 320, height: 240, framerate: 15 }
  high:
    type: encoder-h264
    eats: card:video
    properties: { bitrate: 300000, speed: ultrafast, framerate: 15, keyframe-interval: 1 }
  low:
    type: encoder-h264
    eats: card:video
    properties: { bitrate: 100000, width: 160, speed: ultrafast, framerate: 15, keyframe-interval: 1 }
  aac:
    type: encoder-aac
    eats: card:audio
    properties: { bitrate: 48000 }
  hls:
    type: streamer-hls
    eats: { video: [high, low], audio: aac }
    properties: { mount: /tv, port: ${port}, bind-address: 127.0.0.1, segment-duration: 1, playlist-length: 3 }
`),
  );
  try {
    assert.deepEqual(flow.urls, [`${base}/index.m3u8`]);
    const master = parse((await whenReady(`${base}/index.m3u8`)).toString());
    assert.deepEqual(master.playlists?.map((p) => p.uri).sort(), ['0/index.m3u8', '1/index.m3u8']);
    for (const rendition of master.playlists!) assert.ok((rendition.attributes.BANDWIDTH ?? 0) > 20000, JSON.stringify(rendition.attributes));
    // Highest bandwidth first: the 320-wide rendition.
    assert.equal(master.playlists![0]!.uri, '0/index.m3u8');

    const widths = [320, 160];
    let firstSegment = '';
    for (const [rendition, width] of widths.entries()) {
      const answer = await get(`${base}/${rendition}/index.m3u8`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      assert.equal(answer.headers.get('cache-control'), 'public, max-age=1');
      assert.equal(answer.headers.get('access-control-allow-origin'), '*');
      const playlist = parse(answer.body.toString());
      assert.equal(playlist.targetDuration, 1);
      assert.ok(playlist.segments.length >= 1 && playlist.segments.length <= 3, JSON.stringify(playlist.segments));
      const last = playlist.segments.at(-1)!;
      const segment = await get(`${base}/${rendition}/${last.uri}`);
      assert.equal(segment.status, 200);
      assert.equal(segment.headers.get('content-type'), 'video/mp2t');
      assert.equal(segment.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const info = await probe(segment.body, '.ts');
      assert.equal(info.format, 'mpegts');
      assert.deepEqual(info.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
      const video = info.streams.find((s) => s.codec_type === 'video')!;
      assert.equal(video.width, width);
      // The master playlist names what the segments hold: size, and profile and level as FFmpeg reads them.
      const entry: NonNullable<ParsedPlaylist['playlists']>[number] = master.playlists!.find((p) => p.uri === `${rendition}/index.m3u8`)!;
      assert.deepEqual(entry.attributes.RESOLUTION, { width: video.width, height: video.height });
      const [avc, aac] = (entry.attributes.CODECS ?? '').split(',');
      assert.equal(aac, 'mp4a.40.2');
      const avcMatch = /^avc1\.([0-9a-f]{2})[0-9a-f]{2}([0-9a-f]{2})$/.exec(avc ?? '');
      assert.ok(avcMatch, entry.attributes.CODECS);
      assert.equal(parseInt(avcMatch[2]!, 16), video.level, `level of ${entry.attributes.CODECS}`);
      assert.equal(parseInt(avcMatch[1]!, 16), { 'Constrained Baseline': 66, Baseline: 66, Main: 77, High: 100 }[video.profile ?? ''], `profile ${video.profile}`);
      // Cut on a keyframe: a player can start with any segment.
      assert.equal(info.keyframeTimes[0], info.videoPacketTimes[0], `segment ${last.uri} starts with a keyframe`);
      const seconds = info.videoPacketTimes.length / 15;
      assert.ok(seconds > 0.5 && seconds < 1.6, `segment ${last.uri} holds ${seconds} s of video`);
      if (rendition === 0) firstSegment = playlist.segments[0]!.uri;
    }

    // The playlist moves on, and a segment that left it long enough ago is removed.
    const until = Date.now() + 20_000;
    for (;;) {
      const playlist = parse((await get(`${base}/0/index.m3u8`)).body.toString());
      if ((await get(`${base}/0/${firstSegment}`)).status === 404) {
        assert.ok(!playlist.segments.some((s) => s.uri === firstSegment));
        break;
      }
      assert.ok(Date.now() < until, `${firstSegment} was never removed; playlist: ${JSON.stringify(playlist.segments)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // Only the shapes the component writes are served.
    assert.equal((await get(`${base}/2/index.m3u8`)).status, 404);
    assert.equal((await get(`${base}/0/../../etc/passwd`)).status, 404);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
  assert.deepEqual(hlsDirectories(), before, 'the segment directory is removed when the flow stops');
});

test('streamer-hls routes: the master, playlists and segment names of existing renditions, nothing else', () => {
  assert.deepEqual(routeOf('/index.m3u8', 2), { kind: 'master' });
  assert.deepEqual(routeOf('/1/index.m3u8', 2), { kind: 'playlist', rendition: 1 });
  assert.deepEqual(routeOf('/0/mx4pmqvr-00012.ts', 2), { kind: 'segment', rendition: 0, file: 'mx4pmqvr-00012.ts' });
  for (const route of ['/2/index.m3u8', '/0/../index.m3u8', '/0/%2e%2e/x.ts', '/0/index.m3u8/', '/0/a-1.ts', '//index.m3u8', '/0/MX-00001.ts']) {
    assert.equal(routeOf(route, 2), undefined, route);
  }
});

test('segment codecs: a High 4:4:4 1280x720 H.264 stream with MP3, as FFmpeg reads it', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-segment-')), 'segment.ts');
  try {
    // x264 given 4:4:4 input picks High 4:4:4 Predictive, whose SPS carries more fields to skip.
    execFileSync('gst-launch-1.0', [
      '-q', 'videotestsrc', 'num-buffers=10', '!', 'video/x-raw,format=Y444,width=1280,height=720,framerate=10/1', '!', 'x264enc', 'speed-preset=ultrafast', '!', 'h264parse', '!', 'queue', '!',
      'mpegtsmux', 'name=mux', '!', 'filesink', `location=${file}`, 'audiotestsrc', 'num-buffers=10', '!', 'lamemp3enc', '!', 'mpegaudioparse', '!', 'queue', '!', 'mux.',
    ]);
    const described = describeSegment(fs.readFileSync(file));
    const info = await probe(file, '.ts');
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    assert.equal(video.profile, 'High 4:4:4 Predictive');
    assert.deepEqual(described, { codecs: [`avc1.f400${video.level!.toString(16)}`, 'mp4a.40.34'], width: 1280, height: 720 });
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
