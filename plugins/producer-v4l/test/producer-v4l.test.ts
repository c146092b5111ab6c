import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, writeFlow } from '@flowcast/core/testing';

const MISSING = '/dev/video-flowcast-none';
const cameraPresent = fs.existsSync('/dev/video0');

function cameraFlow(device: string): string {
  return writeFlow(`name: camera
components:
  cam:
    type: producer-v4l
    properties: { device: ${JSON.stringify(device)}, width: 320, height: 240 }
`);
}

test('producer-v4l: a flow of only a camera is valid, with a warning that nothing eats its video', async () => {
  const file = cameraFlow(MISSING);
  const shown = path.relative(process.cwd(), file);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /: valid$/m);
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]!.startsWith(`${shown}:3:3: warning FC_FEED_UNUSED component "cam": `), lines[0]);
});

test('producer-v4l: a camera device that does not exist stops the run at once with exit 1', { skip: cameraPresent ? '/dev/video0 exists on this machine' : false }, async () => {
  assert.equal(fs.existsSync(MISSING), false, `${MISSING} exists`);
  const began = Date.now();
  const result = await runCli(['run', cameraFlow(MISSING)], { timeoutMs: 20_000 });
  const elapsed = Date.now() - began;
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stdout, /is running/);
  const line = result.stderr.split('\n').find((l) => l.startsWith('FC_'));
  assert.ok(line, result.stderr);
  assert.ok(line.startsWith(`FC_PREFLIGHT: component "cam" (producer-v4l): video device ${MISSING} does not exist`), line);
  // Preflight fails before any pipeline exists, so no GStreamer error is involved.
  assert.doesNotMatch(result.stderr, /FC_COMPONENT_FAILED|v4l2src/);
  assert.ok(elapsed < 5_000, `took ${elapsed} ms to fail`);
});

test('producer-v4l: a path that is not a character device is refused before starting', { skip: cameraPresent ? '/dev/video0 exists on this machine' : false }, async () => {
  // Passes the schema's ^/dev/ pattern, but is a directory.
  const device = fs.existsSync('/dev/shm') ? '/dev/shm' : '/dev/pts';
  const result = await runCli(['run', cameraFlow(device)], { timeoutMs: 20_000 });
  assert.equal(result.code, 1, result.stderr);
  const line = result.stderr.split('\n').find((l) => l.startsWith('FC_'));
  assert.ok(line, result.stderr);
  assert.ok(line.startsWith(`FC_PREFLIGHT: component "cam" (producer-v4l): ${device} is not a video device`), line);
});

test('producer-v4l: a character device that is not a camera fails in GStreamer, attributed to the component', { skip: cameraPresent ? '/dev/video0 exists on this machine' : false }, async () => {
  const result = await runCli(['run', cameraFlow('/dev/null')], { timeoutMs: 20_000 });
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stdout, /is running/);
  const line = result.stderr.split('\n').find((l) => l.startsWith('FC_'));
  assert.ok(line, result.stderr);
  assert.ok(line.startsWith('FC_COMPONENT_FAILED: component "cam" (producer-v4l) failed: camera /dev/null failed: '), line);
  assert.match(line, /isn't a v4l2 driver/);
  assert.ok(line.includes('property "device" of component "cam"'), line);
  assert.doesNotMatch(line, /\.\./, 'no doubled full stop in the sentence');
});
