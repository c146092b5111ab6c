import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadPluginUnderTest, testAudio } from '@flowcast/core/testing';

// This file runs as dist/test/*.test.js: the package directory is two levels up.
const packageDirectory = path.resolve(__dirname, '..', '..');

test('encoder-opus: the registry accepts the package', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.components.map((c) => c.type), ['encoder-opus']);
});

test('encoder-opus: properties are checked like `flowcast validate` does', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  assert.deepEqual(plugin.validate('encoder-opus', { bitrate: 64000, complexity: 5, 'frame-size': 2.5 }), []);
  const errors = plugin.validate('encoder-opus', { bitrate: 1000, 'frame-size': 15 });
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors.join('\n'), /FC_PROPERTY_INVALID component "encoder-opus" property "bitrate": must be >= 4000/);
  assert.match(errors.join('\n'), /FC_PROPERTY_INVALID component "encoder-opus" property "frame-size": must be one of 2.5, 5, 10, 20, 40, 60 \(got 15\)/);
});

test('encoder-opus: 44.1 kHz is resampled to 48 kHz Opus, one packet per frame-size', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const seconds = 2;
  for (const frameSize of [20, 60]) {
    const run = await plugin.run('encoder-opus', { input: testAudio({ samplerate: 44100, channels: 2 }), properties: { 'frame-size': frameSize }, seconds });
    const caps = run.caps();
    assert.match(caps, /^audio\/x-opus, /);
    assert.match(caps, /\brate=\(int\)48000\b/, caps);
    assert.match(caps, /\bchannels=\(int\)2\b/, caps);
    // The Opus identification header travels in the caps, as Ogg muxing needs it.
    assert.match(caps, /streamheader=.*4f70757348656164/i, 'OpusHead in the stream headers');
    const packets = run.buffers().length;
    const expected = (seconds * 1000) / frameSize;
    assert.ok(Math.abs(packets - expected) <= 2, `frame-size ${frameSize} ms: ${packets} packets for ${seconds} s, expected about ${expected}`);
  }
});

test('encoder-opus: cbr at 32 kbit/s gives frames of bitrate × frame duration', async () => {
  const plugin = await loadPluginUnderTest(packageDirectory);
  const run = await plugin.run('encoder-opus', { input: testAudio({ wave: 'white-noise' }), properties: { bitrate: 32000, 'bitrate-type': 'cbr' }, seconds: 2 });
  const sizes = new Set(run.buffers().map((b) => b.length));
  // 32000 bit/s × 20 ms = 80 bytes per packet, every packet.
  assert.deepEqual([...sizes], [80], `packet sizes: ${[...sizes].join(', ')}`);
});
