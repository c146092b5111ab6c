import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadPluginUnderTest, testVideo } from '@flowcast/core/testing';

test('converter-scale: 320x240 at 25 frames/s becomes 160x120 at 10 frames/s; height alone keeps the shape', async () => {
  const plugin = await loadPluginUnderTest(path.join(__dirname, '..', '..'));
  const input = testVideo({ width: 320, height: 240, framerate: 25 });
  const both = await plugin.run('converter-scale', { input, properties: { width: 160, framerate: 10 }, seconds: 2 });
  assert.match(both.caps(), /width=\(int\)160, height=\(int\)120/, both.caps());
  assert.match(both.caps(), /framerate=\(fraction\)10\/1/, both.caps());
  // Two seconds at 10 frames/s (videorate may add the closing frame).
  assert.ok(Math.abs(both.buffers().length - 20) <= 1, `${both.buffers().length} frames`);
  const tall = await plugin.run('converter-scale', { input, properties: { height: 480 }, seconds: 0.4 });
  assert.match(tall.caps(), /width=\(int\)640, height=\(int\)480/, tall.caps());
  assert.match(tall.caps(), /framerate=\(fraction\)25\/1/, tall.caps());
});
