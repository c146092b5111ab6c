import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadPluginUnderTest, testAudio } from '@flowcast/core/testing';

// This file runs as dist/test/*.test.js: the package directory is two levels up.
const packageDirectory = path.resolve(__dirname, '..', '..');

/** The dominant frequency of S16LE mono-or-stereo samples (first channel), by zero crossings. */
function frequency(bytes: Buffer, rate: number, channels: number): number {
  const samples = new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2));
  let crossings = 0;
  for (let i = channels; i < samples.length; i += channels) if ((samples[i - channels]! < 0) !== (samples[i]! < 0)) crossings++;
  return crossings / 2 / (samples.length / channels / rate);
}

test('switch: its main eater is a failover eater, and its properties are checked', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const [component] = plugin.components;
  assert.equal(component!.type, 'switch');
  assert.equal(component!.eaters.find((e) => e.name === 'main')?.failover, true);
  assert.deepEqual(plugin.validate('switch', { 'switch-after': 0.5, 'return-after': 3 }), []);
  assert.match(plugin.validate('switch', { 'switch-after': 0 }).join('\n'), /property "switch-after": must be >= 0.1/);
});

test('switch: plays its main while the main delivers, converted to the rate and channels asked for', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const run = await plugin.run('switch', {
    properties: { samplerate: 22050, channels: 1 },
    input: { main: testAudio({ frequency: 440 }), backup: testAudio({ frequency: 1000 }) },
    seconds: 2,
  });
  assert.match(run.caps(), /audio\/x-raw, format=\(string\)S16LE.*rate=\(int\)22050.*channels=\(int\)1/);
  const heard = frequency(run.bytes(), 22050, 1);
  assert.ok(Math.abs(heard - 440) < 20, `heard ${heard} Hz: the main's 440 Hz, not the backup's 1000 Hz`);
  assert.equal(run.stats()?.playingBackup, 0);
  // Its meter shows the feed it plays: the test source's half-scale sine, -6 dBFS.
  const peak = run.levels()?.peak[0];
  assert.ok(peak !== undefined && Math.abs(peak + 6) < 1, `the switch's level: ${JSON.stringify(run.levels())}`);
});
