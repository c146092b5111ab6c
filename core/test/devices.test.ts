import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main';
import { cameraModes, parseMonitorOutput } from '../src/api/capture-devices';
import { summarize } from '../src/cli/devices/snippets';

// What gst-device-monitor-1.0 Video/Source Audio/Source prints on a laptop with a webcam and an
// Intel HDA sound card (this machine has neither: the test of the command itself is below).
const SAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'device-monitor.txt'), 'utf8');

test('devices: the monitor output becomes cameras and audio inputs, each with the producer that uses it', () => {
  const devices = parseMonitorOutput(SAMPLE);
  assert.equal(devices.length, 2);
  assert.equal(devices[0]!.caps.length, 3);
  const [camera, microphone] = devices.map(summarize);
  assert.equal(camera!.kind, 'camera');
  assert.equal(camera!.offers[2], 'image/jpeg, width=(int)1280, height=(int)720, pixel-aspect-ratio=(fraction)1/1, framerate=(fraction)30/1');
  // Raw YUY2 is preferred to MJPG (no decoding), the largest size first.
  assert.deepEqual(camera!.snippet, ['cam:', '  type: producer-v4l', '  properties: { device: /dev/video0, width: 640, height: 480, framerate: 30, format: YUY2 }']);
  assert.deepEqual(cameraModes(devices[0]!), [
    { format: 'YUY2', width: 640, height: 480, framerates: [30] },
    { format: 'YUY2', width: 320, height: 240, framerates: [30, 15] },
    { format: 'MJPG', width: 1280, height: 720, framerates: [30] },
  ]);
  assert.equal(microphone!.kind, 'microphone');
  assert.deepEqual(microphone!.snippet, ['mic:', '  type: producer-alsa', '  properties: { device: "hw:0", samplerate: 48000, channels: 2 }']);
});

test('flowcast devices on this machine (no camera, no sound card) says so and exits 0', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['devices'], { out: (line) => out.push(line), err: (line) => err.push(line), env: process.env, cwd: process.cwd() });
  assert.equal(code, 0, err.join('\n'));
  const hasCamera = fs.readdirSync('/dev').some((name) => name.startsWith('video'));
  if (!hasCamera) assert.match(out.join('\n'), /No capture devices found|Audio input/);
  else assert.match(out.join('\n'), /Camera: /);
});
