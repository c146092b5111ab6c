import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_MARKER, markerFrequency, markerSlot } from '../src/api/latency-marker';
import { MarkerDetector, PlayoutClock, type MarkerHeard } from '../src/cli/latency/marker-detector';

const RATE = 16000;

/** `seconds` of what producer-test's marker sends, starting at wall-clock second `first`. */
function markerAudio(first: number, seconds: number): Int16Array {
  const samples = new Int16Array(seconds * RATE);
  for (let s = 0; s < seconds; s++) {
    const frequency = markerFrequency(first + s);
    for (let i = 0; i < (LATENCY_MARKER.toneMs / 1000) * RATE; i++) samples[s * RATE + i] = Math.round(16000 * Math.sin((2 * Math.PI * frequency * i) / RATE));
  }
  return samples;
}

test('latency marker: every slot frequency maps back to its slot, and others to none', () => {
  for (let second = 1_700_000_000; second < 1_700_000_000 + LATENCY_MARKER.cycle; second++) {
    assert.equal(markerSlot(markerFrequency(second)), second % LATENCY_MARKER.cycle);
  }
  assert.equal(markerSlot(440 - 90), undefined);
  assert.equal(markerSlot(markerFrequency(3) + LATENCY_MARKER.stepHz / 2), undefined);
});

test('latency marker: the detector finds each tone and the second it was sent, even when heard several seconds late', () => {
  const sent = 1_700_000_003; // a second whose slot is 3
  for (const delayMs of [120, 2750, 6900]) {
    // Played out from (sent + delay): sample n is heard at that time plus n / rate.
    const clock = new PlayoutClock(RATE);
    const startMs = sent * 1000 + delayMs;
    const heard: MarkerHeard[] = [];
    const detector = new MarkerDetector(RATE, (n) => clock.playedAtMs(n), (m) => heard.push(m));
    const audio = markerAudio(sent, 5);
    // In 20 ms chunks, each arriving on time (and one of them late, which must not matter).
    for (let at = 0; at < audio.length; at += RATE / 50) {
      const late = at === RATE ? 30 : 0;
      clock.arrived(at, startMs + (at * 1000) / RATE + late);
      detector.push(audio.subarray(at, at + RATE / 50));
    }
    // The first tone has no silence before it (the stream starts with it): 4 are found.
    assert.deepEqual(heard.map((m) => m.sentSecond), [sent + 1, sent + 2, sent + 3, sent + 4], `delay ${delayMs}`);
    for (const m of heard) assert.ok(Math.abs(m.latencyMs - delayMs) < 2, `delay ${delayMs}: measured ${m.latencyMs}`);
  }
});
