import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../src/manager/backoff';
import { worstMood } from '../src/manager/moods';

test('backoff: 1 s doubling to at most 60 s, with at most 10 % jitter, reset after 60 s happy', () => {
  const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000, resetAfterMs: 60_000, random: () => 0 });
  const waits = Array.from({ length: 9 }, (_, i) => backoff.next(i));
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  backoff.happy(100_000);
  assert.equal(backoff.next(150_000), 60_000, 'happy for 50 s is not enough to reset');
  backoff.happy(200_000);
  assert.equal(backoff.next(260_000), 1000, 'happy for 60 s resets the wait');
  const jittered = new Backoff({ initialMs: 1000, maxMs: 60_000, resetAfterMs: 60_000, random: () => 0.999 });
  const wait = jittered.next(0);
  assert.ok(wait > 1000 && wait <= 1100, `jitter keeps the wait within 10 %: ${wait}`);
});

test("moods: a flow's mood is its worst component's", () => {
  assert.equal(worstMood(['happy', 'hungry', 'waking']), 'hungry');
  assert.equal(worstMood(['happy', 'sad', 'lost']), 'lost');
  assert.equal(worstMood(['happy', 'happy']), 'happy');
  assert.equal(worstMood([]), 'sleeping');
});
