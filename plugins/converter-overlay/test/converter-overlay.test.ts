import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, loadPluginUnderTest, readStream, runCli, startFlow, testVideo, writeFlow } from '@flowcast/core/testing';

const PLUGIN = path.join(__dirname, '..', '..');
const WIDTH = 320;
const HEIGHT = 240;

/** Mean luma of a box of an I420 frame (the Y plane comes first, one byte a pixel). */
function meanLuma(frame: Buffer, x: number, y: number, w: number, h: number): number {
  let sum = 0;
  for (let row = y; row < y + h; row++) for (let col = x; col < x + w; col++) sum += frame[row * WIDTH + col]!;
  return sum / (w * h);
}

test('converter-overlay: text and clock are drawn where they are asked for, and nowhere else', async () => {
  const plugin = await loadPluginUnderTest(PLUGIN);
  const input = testVideo({ width: WIDTH, height: HEIGHT, framerate: 10 });
  const topLeft = await plugin.run('converter-overlay', { input, properties: { text: 'FLOWCAST', 'text-position': 'top-left' }, seconds: 0.3 });
  const clockOnly = await plugin.run('converter-overlay', { input, properties: { clock: true, 'clock-position': 'bottom-right' }, seconds: 0.3 });
  for (const run of [topLeft, clockOnly]) assert.match(run.caps(), /format=\(string\)I420, width=\(int\)320, height=\(int\)240/, run.caps());
  // Each run draws in its own corner only: the frames differ there, and are equal elsewhere.
  const textFrame = topLeft.buffers()[0]!;
  const clockFrame = clockOnly.buffers()[0]!;
  const difference = (x: number, y: number, w: number, h: number): number => Math.abs(meanLuma(textFrame, x, y, w, h) - meanLuma(clockFrame, x, y, w, h));
  assert.ok(difference(0, 0, 120, 60) > 10, `top-left: ${difference(0, 0, 120, 60)}`);
  assert.ok(difference(WIDTH - 120, HEIGHT - 60, 120, 60) > 10, `bottom-right: ${difference(WIDTH - 120, HEIGHT - 60, 120, 60)}`);
  assert.equal(difference(0, 100, 120, 40), 0, 'the middle of the left edge is untouched');
});

test('converter-overlay: a logo next to the flow file is drawn in its corner; one outside its directory is refused', async () => {
  const port = await freePort();
  const flowText = (logo: string): string => `name: logo-test
components:
  card:
    type: producer-test
    properties: { pattern: white, width: ${WIDTH}, height: ${HEIGHT}, framerate: 10 }
  overlay:
    type: converter-overlay
    eats: card:video
    properties: { logo: ${logo}, logo-position: top-left }
  enc:
    type: encoder-vp8
    eats: overlay
    properties: { framerate: 10, bitrate: 400000, speed: 12 }
  mux:
    type: muxer-webm
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /logo.webm, port: ${port}, bind-address: 127.0.0.1 }
`;
  const file = writeFlow(flowText('images/logo.png'));
  const directory = path.dirname(file);
  fs.mkdirSync(path.join(directory, 'images'));
  // A 48x48 black PNG, made by GStreamer.
  execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=1', 'pattern=black', '!', 'video/x-raw,width=48,height=48', '!', 'pngenc', '!', 'filesink', `location=${path.join(directory, 'images', 'logo.png')}`]);
  const flow = await startFlow(file);
  try {
    const { body } = await readStream(`http://127.0.0.1:${port}/logo.webm`, { seconds: 1.5 });
    const raw = path.join(directory, 'frame.yuv');
    fs.writeFileSync(path.join(directory, 'logo.webm'), body);
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${path.join(directory, 'logo.webm')}`, '!', 'matroskademux', '!', 'vp8dec', '!', 'videoconvert', '!', 'video/x-raw,format=I420', '!', 'filesink', `location=${raw}`]);
    const frame = fs.readFileSync(raw).subarray(0, WIDTH * HEIGHT);
    // White picture, black logo 16 px in from the top-left corner.
    assert.ok(meanLuma(frame, 24, 24, 32, 32) < 60, `logo area luma ${meanLuma(frame, 24, 24, 32, 32)}`);
    assert.ok(meanLuma(frame, WIDTH - 60, 24, 32, 32) > 200, `the rest stays white: ${meanLuma(frame, WIDTH - 60, 24, 32, 32)}`);
  } finally {
    assert.equal(await flow.stop(), 0);
  }

  // Outside the flow's directory, through a link: refused before anything starts.
  fs.symlinkSync('/etc/hostname', path.join(directory, 'images', 'escape.png'));
  const escapedFlow = path.join(directory, 'escaped.yaml');
  fs.writeFileSync(escapedFlow, flowText('images/escape.png'));
  const escaped = await runCli(['run', escapedFlow], { timeoutMs: 20_000 });
  assert.equal(escaped.code, 1, escaped.stderr);
  assert.match(escaped.stderr, /FC_PREFLIGHT.*converter-overlay\): the logo images\/escape.png is not a file inside/);
  const missing = await runCli(['validate', writeFlow(flowText('../logo.png'))]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /property "logo": must be a relative path such as "images\/logo.png", inside the directory of the flow file/);
});

test('converter-overlay: nothing to draw is refused before the flow starts', async () => {
  const plugin = await loadPluginUnderTest(PLUGIN);
  await assert.rejects(plugin.run('converter-overlay', { input: testVideo(), seconds: 0.2 }), /has nothing to draw/);
});
