/**
 * Glass-to-ear latency: producer-test's wall-clock marker through a real flow, heard by
 * `flowcast latency` (a real GStreamer player, played out in real time) over HTTP.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');

test('flowcast latency hears the markers of a Vorbis stream and says how far behind live they are', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: latency-test
components:
  tone:
    type: producer-test
    properties: { marker: true }
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
    properties: { max-page-delay: 200 }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /live.ogg, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
  plain:
    type: producer-test
  plain-enc:
    type: encoder-vorbis
    eats: plain
  plain-mux:
    type: muxer-ogg
    eats: plain-enc
  plain-web:
    type: streamer-http
    eats: plain-mux
    properties: { mount: /plain.ogg, port: ${port}, bind-address: 127.0.0.1 }
`),
    { cwd: REPO },
  );
  try {
    const result = await runCli(['latency', `http://127.0.0.1:${port}/live.ogg`, '--seconds', '6'], { cwd: REPO, timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    const summary = /(\d+) markers: median ([\d.]+) s, min ([\d.]+) s, max ([\d.]+) s behind live/.exec(result.stdout);
    assert.ok(summary, result.stdout);
    assert.ok(Number(summary[1]) >= 3, result.stdout);
    // A page waits up to 200 ms, the decoder and the playout add some: well under two seconds,
    // and never ahead of the wall clock.
    assert.ok(Number(summary[3]) > 0 && Number(summary[4]) < 2, result.stdout);
    console.log(`# ${summary[0]}`);

    // A stream without markers: said so, exit 1.
    const plain = await runCli(['latency', `http://127.0.0.1:${port}/plain.ogg`, '--seconds', '3'], { cwd: REPO, timeoutMs: 30_000 });
    assert.equal(plain.code, 1, plain.stdout);
    assert.match(plain.stderr, /no marker heard or seen in 3 s\. Fix: the stream's source must be a producer-test with "marker: true"/);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('flowcast latency watches the picture of a WebM stream too: the flashes, and when the first picture was shown', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: latency-video-test
components:
  card:
    type: producer-test
    properties: { marker: true, pattern: smpte, width: 320, height: 180, framerate: 25 }
  video:
    type: encoder-vp8
    eats: card:video
    properties: { bitrate: 300000, keyframe-interval: 0.5, speed: 10 }
  audio:
    type: encoder-opus
    eats: card:audio
  mux:
    type: muxer-webm
    eats: [video, audio]
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /card.webm, port: ${port}, bind-address: 127.0.0.1, write-interval: 0, burst-on-connect: true }
`),
    { cwd: REPO },
  );
  try {
    const result = await runCli(['latency', `http://127.0.0.1:${port}/card.webm`, '--seconds', '6'], { cwd: REPO, timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /first picture shown [\d.]+ s after the player started/);
    const markers = /(\d+) markers: median ([\d.]+) s/.exec(result.stdout);
    const flashes = /(\d+) flashes: median (-?[\d.]+) s, min (-?[\d.]+) s, max (-?[\d.]+) s behind live \(picture\)/.exec(result.stdout);
    assert.ok(markers && flashes, result.stdout);
    assert.ok(Number(flashes[1]) >= 3, `flashes seen: ${result.stdout}`);
    assert.ok(Number(flashes[2]) > 0, `the picture is behind live, not ahead: ${result.stdout}`);
    for (const line of result.stdout.split('\n').filter((l) => /first picture|markers:|flashes:/.test(l))) console.log(`# ${line}`);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
