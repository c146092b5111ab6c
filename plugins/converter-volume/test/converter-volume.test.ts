import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadPluginUnderTest, testAudio } from '@flowcast/core/testing';

const PLUGIN = path.join(__dirname, '..', '..');

/** The largest absolute sample of S16LE audio, as a fraction of full scale. */
function peak(data: Buffer): number {
  let max = 0;
  for (let at = 0; at + 1 < data.length; at += 2) max = Math.max(max, Math.abs(data.readInt16LE(at)));
  return max / 32768;
}

test('converter-volume: -6 dB halves the amplitude, +6 dB doubles it, mute gives silence', async () => {
  const plugin = await loadPluginUnderTest(PLUGIN);
  const input = testAudio({ samplerate: 8000, channels: 1 });
  const levels: Record<string, number> = {};
  for (const [label, properties] of Object.entries({ same: {}, lower: { gain: -6 }, higher: { gain: 6 }, muted: { mute: true } })) {
    const run = await plugin.run('converter-volume', { input, properties, seconds: 0.5 });
    assert.match(run.caps(), /^audio\/x-raw, format=\(string\)S16LE/, run.caps());
    levels[label] = peak(run.bytes());
    if (label === 'lower') {
      // Its meter measures what it feeds on: the half-scale sine (-6 dBFS) 6 dB lower.
      const measured = run.levels()?.peak[0];
      assert.ok(measured !== undefined && Math.abs(measured + 12) < 1, `converter-volume's level: ${JSON.stringify(run.levels())}`);
    }
  }
  // The test source is a half-scale sine.
  assert.ok(Math.abs(levels.same! - 0.5) < 0.02, JSON.stringify(levels));
  assert.ok(Math.abs(levels.lower! - 0.5 * 0.501) < 0.02, JSON.stringify(levels));
  assert.ok(Math.abs(levels.higher! - 0.5 * 1.995) < 0.03, JSON.stringify(levels));
  assert.equal(levels.muted, 0, JSON.stringify(levels));
});

test('converter-volume: a gain above +20 dB is refused', async () => {
  const plugin = await loadPluginUnderTest(PLUGIN);
  const [error] = plugin.validate('converter-volume', { gain: 30 });
  assert.match(error ?? '', /FC_PROPERTY_INVALID component "[^"]+" property "gain": must be <= 20/);
});
