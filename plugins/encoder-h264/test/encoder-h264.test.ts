import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodesVideo, freePort, loadPluginUnderTest, probe, readStream, startFlow, writeFlow } from '@flowcast/core/testing';
import path from 'node:path';

/** Key frame spacing: every gap between two keyframes, in seconds. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => Math.round((t - times[i]!) * 1000) / 1000);
}

test('encoder-h264: scales 320x240 at 25 frames/s to 160 wide at 10 frames/s, a keyframe each second, in MPEG-TS', async () => {
  const port = await freePort();
  const file = writeFlow(`name: h264-test
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 320, height: 240, framerate: 25 }
  enc:
    type: encoder-h264
    eats: card:video
    properties: { width: 160, framerate: 10, keyframe-interval: 1, bitrate: 200000, speed: veryfast, profile: main, threads: 2 }
  mux:
    type: muxer-mpegts
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /h264.ts, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
`);
  const flow = await startFlow(file);
  try {
    const { status, headers, body } = await readStream(`http://127.0.0.1:${port}/h264.ts`, { seconds: 3.5 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'video/mp2t');
    const info = await probe(body, '.ts');
    assert.equal(info.streams.length, 1, JSON.stringify(info.streams));
    const video = info.streams[0]!;
    assert.equal(video.codec_name, 'h264');
    assert.equal(video.profile, 'Main');
    // Only the width was given: the height follows the 4:3 picture.
    assert.deepEqual([video.width, video.height, video.r_frame_rate], [160, 120, '10/1']);
    // The burst starts on a keyframe, then one comes every 10 frames.
    assert.equal(info.keyframeTimes[0], info.videoPacketTimes[0], `the stream starts on a keyframe: ${info.keyframeTimes}`);
    assert.ok(info.keyframeTimes.length >= 2, `keyframes at ${info.keyframeTimes}`);
    for (const gap of gaps(info.keyframeTimes)) assert.equal(gap, 1, `keyframes at ${info.keyframeTimes}`);
    const decoded = await decodesVideo(body, 'tsdemux ! h264parse ! openh264dec', '.ts');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('encoder-h264: validation refuses a keyframe interval of 0 and an unknown property, naming them', async () => {
  const plugin = await loadPluginUnderTest(path.join(__dirname, '..', '..'));
  const [interval] = plugin.validate('encoder-h264', { 'keyframe-interval': 0 });
  assert.match(interval ?? '', /FC_PROPERTY_INVALID component "[^"]+" property "keyframe-interval": must be >= 0.1/);
  const [unknown] = plugin.validate('encoder-h264', { 'target-bitrate': 1 });
  assert.match(unknown ?? '', /property "target-bitrate"/);
  assert.deepEqual(plugin.validate('encoder-h264', { bitrate: 500000, width: 640, height: 360, framerate: 30 }), []);
});
