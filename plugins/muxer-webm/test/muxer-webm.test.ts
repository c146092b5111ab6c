import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodesVideo, freePort, probe, readStream, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

test('muxer-webm: VP8 and Opus in one live WebM; every listener starts on a cluster that opens with a keyframe', async () => {
  const port = await freePort();
  const file = writeFlow(`name: webm-test
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 160, height: 120, framerate: 15 }
  vp8:
    type: encoder-vp8
    eats: card:video
    properties: { bitrate: 150000, keyframe-interval: 1, speed: 12 }
  opus:
    type: encoder-opus
    eats: card:audio
    properties: { bitrate: 32000 }
  mux:
    type: muxer-webm
    eats: [vp8, opus]
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /card.webm, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
`);
  const flow = await startFlow(file);
  try {
    const url = `http://127.0.0.1:${port}/card.webm`;
    for (const seconds of [2.5, 1.5]) {
      const { status, headers, body } = await readStream(url, { seconds });
      assert.equal(status, 200);
      assert.equal(headers['content-type'], 'video/webm');
      const info = await probe(body, '.webm');
      assert.equal(info.format, 'matroska,webm');
      assert.deepEqual(info.streams.map((s) => s.codec_name).sort(), ['opus', 'vp8']);
      assert.ok(info.keyframeTimes.length >= 1, JSON.stringify(info));
      assert.equal(info.keyframeTimes[0], info.videoPacketTimes[0], `the first video packet is a keyframe: ${info.keyframeTimes} of ${info.videoPacketTimes}`);
      const decoded = await decodesVideo(body, 'matroskademux name=d d.audio_0 ! queue ! opusdec ! fakesink d.video_0 ! queue ! vp8dec');
      assert.ok(decoded.ok, decoded.output);
    }
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('muxer-webm: validate refuses Theora into WebM and names both media types in words', async () => {
  const file = writeFlow(`name: theora-webm
components:
  card:
    type: producer-test
  enc:
    type: encoder-theora
    eats: card:video
  mux:
    type: muxer-webm
    eats: enc
`);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /error FC_MEDIA_MISMATCH component "mux": feed "enc:default" produces video\/x-theora, but eater "default" of muxer-webm accepts video\/x-vp8, video\/x-vp9, audio\/x-vorbis, audio\/x-opus/);
  assert.match(result.stderr, /Theora video cannot go into muxer-webm, which takes VP8 video, VP9 video, Vorbis audio or Opus audio/);
});
