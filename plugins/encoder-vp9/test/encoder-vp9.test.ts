import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodesVideo, freePort, loadPluginUnderTest, probe, readStream, startFlow, writeFlow } from '@flowcast/core/testing';
import path from 'node:path';

/** Key frame spacing: every gap between two keyframes, in seconds. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => Math.round((t - times[i]!) * 1000) / 1000);
}

test('encoder-vp9: scales 320x240 at 25 frames/s to 160 wide at 10 frames/s, a keyframe each second, in live WebM', async () => {
  const port = await freePort();
  const file = writeFlow(`name: vp9-test
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 320, height: 240, framerate: 25 }
  enc:
    type: encoder-vp9
    eats: card:video
    properties: { width: 160, framerate: 10, keyframe-interval: 1, bitrate: 200000, speed: 8, threads: 2 }
  mux:
    type: muxer-webm
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /vp9.webm, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
`);
  const flow = await startFlow(file);
  try {
    const { status, headers, body } = await readStream(`http://127.0.0.1:${port}/vp9.webm`, { seconds: 3.5 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'video/webm');
    const info = await probe(body, '.webm');
    assert.equal(info.streams.length, 1, JSON.stringify(info.streams));
    const video = info.streams[0]!;
    assert.equal(video.codec_name, 'vp9');
    // Only the width was given: the height follows the 4:3 picture.
    assert.deepEqual([video.width, video.height, video.r_frame_rate], [160, 120, '10/1']);
    // The burst starts on a keyframe, then one comes every 10 frames.
    assert.equal(info.keyframeTimes[0], info.videoPacketTimes[0], `the stream starts on a keyframe: ${info.keyframeTimes}`);
    assert.ok(info.keyframeTimes.length >= 2, `keyframes at ${info.keyframeTimes}`);
    for (const gap of gaps(info.keyframeTimes)) assert.equal(gap, 1, `keyframes at ${info.keyframeTimes}`);
    const decoded = await decodesVideo(body, 'matroskademux ! vp9dec', '.webm');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('encoder-vp9: validation refuses a keyframe interval of 0 and an unknown property, naming them', async () => {
  const plugin = await loadPluginUnderTest(path.join(__dirname, '..', '..'));
  const [interval] = plugin.validate('encoder-vp9', { 'keyframe-interval': 0 });
  assert.match(interval ?? '', /FC_PROPERTY_INVALID component "[^"]+" property "keyframe-interval": must be >= 0.1/);
  const [unknown] = plugin.validate('encoder-vp9', { 'target-bitrate': 1 });
  assert.match(unknown ?? '', /property "target-bitrate"/);
  assert.deepEqual(plugin.validate('encoder-vp9', { bitrate: 500000, width: 640, height: 360, framerate: 30 }), []);
});
