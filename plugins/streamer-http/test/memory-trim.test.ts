/** MemoryTrimmer with the real addon: when it trims (malloc_trim) and when it does not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryTrimmer } from '../src/memory-trim';
import { loadNative } from '../src/native';

test('trims once a wave of at least 256 new listeners is over, and every minute while it goes on', () => {
  const native = loadNative();
  let trims = 0;
  const addon = {
    trimMemory: (): boolean => {
      trims++;
      return native.trimMemory();
    },
  };
  const clock = { now: 0 };
  const trimmer = new MemoryTrimmer(addon, () => clock.now);
  const sweep = (connects: number): boolean => {
    clock.now += 1000;
    return trimmer.afterSweep(connects);
  };
  assert.equal(sweep(100), false);
  assert.equal(sweep(255), false, 'not for fewer than 256');
  assert.equal(sweep(255), false, 'a quiet sweep, but fewer than 256 came');
  assert.equal(sweep(600), false, 'not while they come');
  assert.equal(sweep(600), true, 'the wave is over');
  for (let i = 1; i < 60; i++) assert.equal(sweep(600 + i * 100), false, `still coming, ${i} s after the last trim`);
  assert.equal(sweep(6600), true, 'a minute after the last trim, still coming');
  assert.equal(sweep(7000), false);
  assert.equal(sweep(7000), true, 'the wave is over: no new listener since the previous sweep');
  assert.equal(sweep(7000), false, 'nothing new since');
  assert.equal(trims, 3);
  assert.equal(trimmer.afterSweep(7000), false);
  assert.equal(typeof native.trimMemory(), 'boolean');
});
