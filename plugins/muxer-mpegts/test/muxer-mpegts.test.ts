import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodesVideo, freePort, probe, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

test('muxer-mpegts: H.264 and AAC in one transport stream, served over HTTP, read back by FFmpeg and GStreamer', async () => {
  const port = await freePort();
  const file = writeFlow(`name: ts-test
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 160, height: 120, framerate: 15 }
  h264:
    type: encoder-h264
    eats: card:video
    properties: { bitrate: 150000, keyframe-interval: 1, speed: ultrafast, framerate: 15 }
  aac:
    type: encoder-aac
    eats: card:audio
    properties: { bitrate: 48000 }
  mux:
    type: muxer-mpegts
    eats: [h264, aac]
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /card.ts, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
`);
  const flow = await startFlow(file);
  try {
    const { status, headers, body } = await readStream(`http://127.0.0.1:${port}/card.ts`, { seconds: 2.5 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'video/mp2t');
    // 188-byte packets, each starting with the sync byte 0x47.
    assert.equal(body.length % 188, 0);
    for (let at = 0; at < body.length; at += 188) assert.equal(body[at], 0x47, `TS sync byte at ${at}`);
    const info = await probe(body, '.ts');
    assert.equal(info.format, 'mpegts');
    assert.deepEqual(info.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    assert.deepEqual([video.width, video.height, video.r_frame_rate], [160, 120, '15/1']);
    assert.equal(info.keyframeTimes[0], info.videoPacketTimes[0], `a listener starts on a keyframe: ${info.keyframeTimes}`);
    const decoded = await decodesVideo(body, 'tsdemux name=d d. ! queue ! aacparse ! faad ! fakesink d. ! queue ! h264parse ! openh264dec', '.ts');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
