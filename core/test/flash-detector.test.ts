/**
 * The picture half of `flowcast latency`: white frames after normal ones are flashes, however the
 * frames are cut into chunks; a flash's delay is resolved to the second nearest the sound's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlashDetector, flashDelayMs } from '../src/cli/latency/flash-detector';

const SIDE = 4 * 4;
const frame = (luma: number): Buffer => Buffer.alloc(SIDE, luma);

test('a flash is the first white frame after a normal one; one the player starts in is not', () => {
  const seen: number[] = [];
  const detector = new FlashDetector(SIDE, (f) => seen.push(f.seenAtMs));
  const frames = [250, 250, 120, 121, 250, 251, 120, 119, 240, 118];
  // Cut into odd chunks: 7 bytes at a time, each chunk arriving 10 ms after the one before.
  const stream = Buffer.concat(frames.map(frame));
  for (let at = 0, t = 1000; at < stream.length; at += 7, t += 10) detector.push(stream.subarray(at, at + 7), t);
  assert.equal(detector.frameCount, frames.length);
  assert.equal(seen.length, 2);
  assert.equal(detector.firstFrameAtMs, 1020, 'the first whole frame came with the third chunk');
});

test('a flash delay is taken nearest the sound markers, or under a second without them', () => {
  assert.equal(flashDelayMs(1_000_000_350, 300), 350);
  assert.equal(flashDelayMs(1_000_002_950, 3_100), 2_950);
  assert.equal(flashDelayMs(1_000_000_050, 2_980), 3_050);
  assert.equal(flashDelayMs(1_000_000_420, undefined), 420);
});
