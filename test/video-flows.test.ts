/**
 * The video and radio example flows as shipped, run on free ports: the test card in WebM, the
 * radio in MP3, and the webcam flow with producer-test standing in for the camera and the
 * microphone (this machine has neither). Each stream is read back by FFmpeg and GStreamer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, decodesVideo, freePort, probe, readStream, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');

/** An example flow with its port replaced by a free one on 127.0.0.1. */
async function example(relative: string, shippedPort: number): Promise<{ yaml: string; port: number }> {
  const port = await freePort();
  const shipped = fs.readFileSync(path.join(REPO, 'flows', relative), 'utf8');
  assert.match(shipped, new RegExp(`port: ${shippedPort}`));
  return { yaml: shipped.replace(`port: ${shippedPort}`, `port: ${port}, bind-address: 127.0.0.1`), port };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => Math.round((t - times[i]!) * 1000) / 1000);
}

test('flows/test-card.yaml: VP8 640x360 at 25 frames/s and Opus in WebM, a keyframe each second', async () => {
  const { yaml, port } = await example('test-card.yaml', 8802);
  const flow = await startFlow(writeFlow(yaml), { cwd: REPO });
  try {
    const url = `http://127.0.0.1:${port}/card.webm`;
    assert.deepEqual(flow.urls, [url]);
    const { status, headers, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'video/webm');
    const info = await probe(body, '.webm');
    const video = info.streams.find((s) => s.codec_type === 'video');
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    assert.deepEqual([video?.codec_name, video?.width, video?.height, video?.r_frame_rate], ['vp8', 640, 360, '25/1']);
    assert.deepEqual([audio?.codec_name, audio?.sample_rate, audio?.channels], ['opus', '48000', 2]);
    assert.equal(info.keyframeTimes[0], info.videoPacketTimes[0]);
    assert.ok(info.keyframeTimes.length >= 2, `keyframes at ${info.keyframeTimes}`);
    for (const gap of gaps(info.keyframeTimes)) assert.equal(gap, 1, `keyframes at ${info.keyframeTimes}`);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('flows/radio-mp3.yaml: 128 kbit/s MP3 as audio/mpeg, starting on a frame header, that GStreamer decodes', async () => {
  const { yaml, port } = await example('radio-mp3.yaml', 8803);
  const flow = await startFlow(writeFlow(yaml), { cwd: REPO });
  try {
    const { status, headers, body } = await readStream(`http://127.0.0.1:${port}/radio.mp3`, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'audio/mpeg');
    assert.equal(headers['icy-name'], 'Flowcast test radio');
    // MPEG-1 layer III frame sync, 128 kbit/s, 44100 Hz: 0xFFFB 0x90.
    assert.deepEqual([...body.subarray(0, 3)], [0xff, 0xfb, 0x90], body.subarray(0, 4).toString('hex'));
    // burst-time 2: a new listener gets two seconds (16000 bytes each) at once, then live.
    const quick = await readStream(`http://127.0.0.1:${port}/radio.mp3`, { seconds: 0.5 });
    assert.ok(quick.body.length >= 2 * 16000 * 0.95, `${quick.body.length} bytes in half a second`);
    assert.deepEqual([...quick.body.subarray(0, 2)], [0xff, 0xfb]);
    const info = await probe(body, '.mp3');
    assert.deepEqual([info.streams[0]?.codec_name, info.streams[0]?.sample_rate, info.streams[0]?.channels], ['mp3', '44100', 2]);
    const decoded = await decodes(body, 'mpegaudioparse ! mpg123audiodec');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('flows/examples/webcam-webm.yaml is valid, and runs with producer-test standing in for camera and microphone', async () => {
  const checked = await runCli(['validate', path.join('flows', 'examples', 'webcam-webm.yaml')], { cwd: REPO });
  assert.equal(checked.code, 0, checked.stderr);
  const { yaml, port } = await example('examples/webcam-webm.yaml', 8810);
  // The camera and the microphone become one producer-test: its video and audio feeders.
  const standIn = yaml
    .replace(/  cam:\n    type: producer-v4l\n    properties: [^\n]+\n/, '  cam:\n    type: producer-test\n    properties: { width: 640, height: 480, framerate: 30 }\n')
    .replace(/  mic:\n    type: producer-alsa\n    properties: [^\n]+\n/, '')
    .replace('eats: cam\n', 'eats: cam:video\n')
    .replace('eats: mic\n', 'eats: cam:audio\n');
  assert.doesNotMatch(standIn, /producer-v4l|producer-alsa/);
  const flow = await startFlow(writeFlow(standIn), { cwd: REPO });
  try {
    const { status, body } = await readStream(`http://127.0.0.1:${port}/cam.webm`, { seconds: 2.5 });
    assert.equal(status, 200);
    const info = await probe(body, '.webm');
    const video = info.streams.find((s) => s.codec_type === 'video');
    // 30 frames/s in, 25 out, as the flow asks.
    assert.deepEqual([video?.codec_name, video?.width, video?.height, video?.r_frame_rate], ['vp8', 640, 480, '25/1']);
    assert.deepEqual(info.streams.map((s) => s.codec_name).sort(), ['opus', 'vp8']);
    const decoded = await decodesVideo(body, 'matroskademux ! vp8dec');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('validate refuses H.264 into muxer-ogg, Theora into muxer-webm and raw video into streamer-http, in words', async () => {
  const file = writeFlow(`name: impossible
components:
  card:
    type: producer-test
  h264:
    type: encoder-h264
    eats: card:video
  theora:
    type: encoder-theora
    eats: card:video
  ogg:
    type: muxer-ogg
    eats: h264
  webm:
    type: muxer-webm
    eats: theora
  web:
    type: streamer-http
    eats: card:video
`);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 2, result.stderr);
  const errors = result.stderr.split('\n').filter((line) => line.includes('error FC_MEDIA_MISMATCH'));
  assert.equal(errors.length, 3, result.stderr);
  assert.match(errors[0]!, /:13:11: error FC_MEDIA_MISMATCH component "ogg": .*H\.264 video cannot go into muxer-ogg, which takes Vorbis audio, .*Theora video or VP8 video\. Fix: use a muxer that takes H\.264 video, such as muxer-mpegts/);
  assert.match(errors[1]!, /:16:11: error FC_MEDIA_MISMATCH component "webm": .*Theora video cannot go into muxer-webm, which takes VP8 video, VP9 video, Vorbis audio or Opus audio\. Fix: use a muxer that takes Theora video, such as muxer-ogg/);
  assert.match(errors[2]!, /:19:11: error FC_MEDIA_MISMATCH component "web": .*raw \(unencoded\) video cannot go into streamer-http, which takes an Ogg stream, a WebM stream/);
  // Nothing runs.
  const run = await runCli(['run', file], { timeoutMs: 20_000 });
  assert.equal(run.code, 2, run.stderr);
  assert.doesNotMatch(run.stdout, /is running/);
});
