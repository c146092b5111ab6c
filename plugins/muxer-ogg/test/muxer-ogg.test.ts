import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodes, decodesVideo, discover, freePort, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

test('muxer-ogg: two Vorbis feeds go into one Ogg stream as two logical streams, both decodable', async () => {
  const port = await freePort();
  // The tones differ in frequency, and in rate and channels so the report tells the streams apart.
  const file = writeFlow(`name: two-tones
components:
  tone-a:
    type: producer-test
    properties: { frequency: 440, samplerate: 44100, channels: 2 }
  tone-b:
    type: producer-test
    properties: { wave: triangle, frequency: 880, samplerate: 22050, channels: 1 }
  enc-a:
    type: encoder-vorbis
    eats: tone-a
  enc-b:
    type: encoder-vorbis
    eats: tone-b
  mux:
    type: muxer-ogg
    eats: [enc-a, enc-b]
    properties: { max-page-delay: 200 }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /two.ogg, port: ${port}, bind-address: 127.0.0.1 }
`);
  const flow = await startFlow(file);
  try {
    const url = `http://127.0.0.1:${port}/two.ogg`;
    assert.deepEqual(flow.urls, [url], flow.stdout());
    const { status, headers, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    const info = await discover(body);
    assert.equal(info.container, 'Ogg', info.report);
    const audioStreams = info.report.match(/audio #\d+: Vorbis/g) ?? [];
    assert.equal(audioStreams.length, 2, info.report);
    const formats = [...info.report.matchAll(/Channels: (\d+)[^\n]*\n\s*Sample rate: (\d+)/g)].map((m) => `${m[2]}/${m[1]}`).sort();
    assert.deepEqual(formats, ['22050/1', '44100/2'], info.report);

    // Decode both logical streams, each through its own decoder.
    const both = await decodes(body, 'oggdemux name=demux demux. ! queue ! vorbisdec ! audioconvert ! fakesink demux. ! queue ! vorbisdec');
    assert.ok(both.ok, both.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('muxer-ogg: Theora video with Vorbis audio, and VP8 video, each decode from a listener that joined mid-stream', async () => {
  const port = await freePort();
  const file = writeFlow(`name: ogg-video
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 160, height: 120, framerate: 15 }
  theora:
    type: encoder-theora
    eats: card:video
    properties: { keyframe-interval: 1, speed: 3 }
  vorbis:
    type: encoder-vorbis
    eats: card:audio
  vp8:
    type: encoder-vp8
    eats: card:video
    properties: { keyframe-interval: 1, bitrate: 150000, speed: 12 }
  mux-theora:
    type: muxer-ogg
    eats: [theora, vorbis]
    properties: { max-page-delay: 200 }
  mux-vp8:
    type: muxer-ogg
    eats: vp8
    properties: { max-page-delay: 200 }
  theora-web:
    type: streamer-http
    eats: mux-theora
    properties: { mount: /theora.ogg, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
  vp8-web:
    type: streamer-http
    eats: mux-vp8
    properties: { mount: /vp8.ogg, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
`);
  const flow = await startFlow(file);
  try {
    // Both join after the streams began, so each starts on a page that starts a keyframe.
    const [theora, vp8] = await Promise.all([
      readStream(`http://127.0.0.1:${port}/theora.ogg`, { seconds: 2.5 }),
      readStream(`http://127.0.0.1:${port}/vp8.ogg`, { seconds: 2.5 }),
    ]);
    assert.equal(theora.headers['content-type'], 'application/ogg');
    const theoraInfo = await discover(theora.body);
    assert.match(theoraInfo.report, /video(?: #\d+)?: Theora/, theoraInfo.report);
    assert.match(theoraInfo.report, /audio(?: #\d+)?: Vorbis/, theoraInfo.report);
    const bothDecoded = await decodes(theora.body, 'oggdemux name=d d. ! queue ! theoradec ! videoconvert ! fakesink d. ! queue ! vorbisdec');
    assert.ok(bothDecoded.ok, bothDecoded.output);
    const vp8Info = await discover(vp8.body);
    assert.match(vp8Info.report, /video(?: #\d+)?: VP8/, vp8Info.report);
    const vp8Decoded = await decodesVideo(vp8.body, 'oggdemux ! vp8dec', '.ogg');
    assert.ok(vp8Decoded.ok, vp8Decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
