/**
 * flows/examples/webcam-hls.yaml, with producer-test standing in for the camera and the
 * microphone: one flow serves HLS (two renditions) and WebM on one port. FFmpeg reads the HLS
 * master playlist as a phone's player would, over HTTP, and finds both renditions and the audio.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, probe, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');

function ffprobeUrl(url: string): Promise<{ streams: { codec_name: string; width?: number; height?: number }[] }> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', url], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ffprobe ${url}: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as { streams: { codec_name: string; width?: number; height?: number }[] });
    });
  });
}

test('flows/examples/webcam-hls.yaml: HLS with two renditions and WebM from one flow, on one port', { timeout: 90_000 }, async () => {
  const port = await freePort();
  const shipped = fs.readFileSync(path.join(REPO, 'flows', 'examples', 'webcam-hls.yaml'), 'utf8');
  assert.equal(shipped.match(/port: 8811/g)?.length, 2);
  const standIn = shipped
    .replaceAll('port: 8811', `port: ${port}, bind-address: 127.0.0.1`)
    .replace(/  cam:\n    type: producer-v4l\n    properties: [^\n]+\n/, '  cam:\n    type: producer-test\n    properties: { pattern: ball, width: 640, height: 480, framerate: 25 }\n')
    .replace(/  mic:\n    type: producer-alsa\n    properties: [^\n]+\n/, '')
    .replace('eats: cam\n', 'eats: cam:video\n')
    .replaceAll('eats: mic\n', 'eats: cam:audio\n');
  assert.doesNotMatch(standIn, /producer-v4l|producer-alsa|eats: mic/);
  const flow = await startFlow(writeFlow(standIn), { cwd: REPO });
  try {
    const master = `http://127.0.0.1:${port}/cam/index.m3u8`;
    assert.deepEqual([...flow.urls].sort(), [master, `http://127.0.0.1:${port}/cam.webm`].sort());
    // Wait for the first segments of both renditions (2 s each).
    const until = Date.now() + 30_000;
    while ((await fetch(master)).status !== 200) {
      assert.ok(Date.now() < until, 'no master playlist in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const hls = await ffprobeUrl(master);
    const sizes = hls.streams.filter((s) => s.codec_name === 'h264').map((s) => `${s.width}x${s.height}`).sort();
    assert.deepEqual(sizes, ['320x240', '640x480'], JSON.stringify(hls.streams));
    assert.ok(hls.streams.some((s) => s.codec_name === 'aac'), JSON.stringify(hls.streams));

    const webm = await readStream(`http://127.0.0.1:${port}/cam.webm`, { seconds: 2 });
    const info = await probe(webm.body, '.webm');
    assert.deepEqual(info.streams.map((s) => `${s.codec_name}${s.width ? ` ${s.width}x${s.height}` : ''}`).sort(), ['opus', 'vp8 640x480']);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
