/**
 * StreamLog, the shared ring of recent buffers: where bursts start, what is kept, and the
 * stream bitrate it measures. Pure: buffers and times are made up here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamLog, type LogEntry } from '../src/stream-log';

/** Every entry the log still holds, oldest first. */
function held(log: StreamLog): LogEntry[] {
  const entries: LogEntry[] = [];
  for (let seq = log.oldest; seq < log.head; seq++) entries.push(log.at(seq)!);
  return entries;
}

/** Bytes from the start of entry `seq` to the head. */
function bytesFrom(log: StreamLog, seq: number): number {
  return log.totalBytes - log.at(seq)!.offset;
}

/** A deterministic mix of sizes and sync points: entry i is `size(i)` bytes, a sync point when `sync(i)`. */
function fill(log: StreamLog, count: number, options: { size?: (i: number) => number; sync?: (i: number) => boolean; time?: (i: number) => number } = {}): void {
  const size = options.size ?? ((i) => 100 + ((i * 37) % 400));
  const sync = options.sync ?? ((i) => i % 5 === 0);
  const time = options.time ?? ((i) => i * 10);
  for (let i = 0; i < count; i++) log.append(Buffer.alloc(size(i), i & 0xff), sync(i), time(i));
}

test('burstStart by bytes: a sync entry giving at least the bytes asked, the newest that does', () => {
  const log = new StreamLog(1e9, 0, 1e9);
  fill(log, 200);
  const now = 2000;
  const syncs = held(log).filter((e) => e.sync);
  for (const bytes of [1, 99, 500, 1234, 5000, 20_000, 50_000]) {
    const start = log.burstStart({ bytes }, now);
    const entry = log.at(start);
    assert.ok(entry, `bytes ${bytes}: ${start} is not an entry`);
    assert.ok(entry.sync, `bytes ${bytes}: entry ${start} is not a sync point`);
    assert.ok(bytesFrom(log, start) >= bytes, `bytes ${bytes}: only ${bytesFrom(log, start)} bytes from ${start}`);
    // The newest such: starting at the next sync point would give less than asked.
    const nextSync = syncs.find((e) => e.seq > start);
    if (nextSync) assert.ok(bytesFrom(log, nextSync.seq) < bytes, `bytes ${bytes}: sync ${nextSync.seq} already gives ${bytesFrom(log, nextSync.seq)}`);
  }
  // More than the log holds: the oldest sync point, still a sync point.
  const all = log.burstStart({ bytes: log.totalBytes * 2 }, now);
  assert.equal(all, syncs[0]!.seq);
});

test('burstStart by time: a sync entry at least that old, the newest that is', () => {
  const log = new StreamLog(1e9, 0, 1e9);
  fill(log, 200, { time: (i) => i * 100 }); // 20 s of stream, a sync point every 500 ms
  const now = 20_000;
  const syncs = held(log).filter((e) => e.sync);
  for (const ms of [1, 100, 499, 500, 501, 3000, 7777, 19_900]) {
    const start = log.burstStart({ ms }, now);
    const entry = log.at(start);
    assert.ok(entry?.sync, `ms ${ms}: entry ${start} is not a sync point`);
    assert.ok(now - entry.time >= ms, `ms ${ms}: entry ${start} is only ${now - entry.time} ms old`);
    const nextSync = syncs.find((e) => e.seq > start);
    if (nextSync) assert.ok(now - nextSync.time < ms, `ms ${ms}: sync ${nextSync.seq} is already ${now - nextSync.time} ms old`);
  }
  assert.equal(log.burstStart({ ms: 60_000 }, now), syncs[0]!.seq, 'more than held: the oldest sync point');
});

test('burstStart and latestSync without any sync point: the head (the next buffer)', () => {
  const log = new StreamLog(1e9, 0, 1e9);
  fill(log, 20, { sync: () => false });
  assert.equal(log.burstStart({ bytes: 10 }, 1000), log.head);
  assert.equal(log.burstStart({ ms: 10 }, 1000), log.head);
  assert.equal(log.latestSync(), log.head);
  assert.equal(log.at(log.head), undefined, 'the head is not an entry yet');
});

test('latestSync: the newest sync entry, even when newer non-sync entries follow', () => {
  const log = new StreamLog(1e9, 0, 1e9);
  fill(log, 23, { sync: (i) => i % 5 === 0 });
  assert.equal(log.latestSync(), 20);
  log.append(Buffer.alloc(10), true, 1000);
  assert.equal(log.latestSync(), 23);
  log.append(Buffer.alloc(10), false, 1000);
  assert.equal(log.latestSync(), 23);
});

test('trimming: entries older than keepMs go once minBytes remain; never more than maxBytes kept', () => {
  // keepMs 1000, minBytes 0: what is older than a second goes, up to the newest sync point at
  // least a second old (a burst of keepMs must start on one).
  const byTime = new StreamLog(1000, 0, 1e9);
  fill(byTime, 100, { size: () => 100, time: (i) => i * 100 }); // a sync point every 500 ms
  const now = 9900;
  const first = held(byTime)[0]!;
  assert.ok(first.sync, 'the oldest entry held is a sync point');
  assert.ok(now - first.time >= 1000 && now - first.time < 1000 + 500, `the oldest entry held is ${now - first.time} ms old`);
  assert.equal(byTime.head, 100);
  assert.equal(byTime.totalBytes, 10_000);

  // minBytes 5000 keeps at least 5000 bytes however old they are, from a sync point.
  const byBytes = new StreamLog(1000, 5000, 1e9);
  fill(byBytes, 100, { size: () => 100, time: (i) => i * 1000 });
  const kept = held(byBytes).reduce((n, e) => n + e.data.length, 0);
  assert.ok(held(byBytes)[0]!.sync, 'the oldest entry held is a sync point');
  assert.ok(kept >= 5000, `kept ${kept} bytes`);
  assert.ok(kept < 5000 + 5 * 100, `kept ${kept} bytes: more than minBytes from a sync point needs`);

  // maxBytes caps the log even when everything is recent.
  const capped = new StreamLog(1e9, 0, 3000);
  fill(capped, 100, { size: () => 100, time: () => 0 });
  const cappedBytes = held(capped).reduce((n, e) => n + e.data.length, 0);
  assert.ok(cappedBytes <= 3000, `kept ${cappedBytes} bytes over maxBytes 3000`);
  assert.ok(cappedBytes > 3000 - 100, `kept only ${cappedBytes} bytes`);
  assert.equal(held(capped).at(-1)!.seq, 99, 'the newest entry is kept');

  // A single entry bigger than maxBytes is still kept: there is always a newest entry.
  const tiny = new StreamLog(0, 0, 10);
  tiny.append(Buffer.alloc(100), true, 0);
  assert.equal(held(tiny).length, 1);
});

test('trimming keeps a burst of minBytes possible from a sync point, however the sync points fall', () => {
  // As the hub configures it for burst-size N: minBytes N. A slow stream (1000 B/s) whose sync
  // points (keyframes) are 8 s apart, run for longer than keepMs.
  const N = 12_000;
  const log = new StreamLog(10_000, N, 1e9);
  for (let i = 0; i < 60; i++) {
    log.append(Buffer.alloc(1000), i % 8 === 3, i * 1000);
    if (i < 20) continue;
    const start = log.burstStart({ bytes: N }, i * 1000);
    assert.ok(log.at(start)?.sync, `after ${i + 1} entries: burst start ${start} is not a sync entry`);
    assert.ok(bytesFrom(log, start) >= N, `after ${i + 1} entries: a burst of ${N} was asked, the log only gives ${bytesFrom(log, start)} from a sync point (holds ${log.oldest}..${log.head - 1})`);
  }
});

test('trimming keeps a burst of keepMs possible from a sync point', () => {
  // As the hub configures it for burst-time T ≥ the other limits: keepMs T.
  const T = 10_000;
  const log = new StreamLog(T, 0, 1e9);
  for (let i = 0; i < 60; i++) {
    const now = i * 1000;
    log.append(Buffer.alloc(1000), i % 4 === 1, now);
    if (now < T + 4000) continue;
    const start = log.burstStart({ ms: T }, now);
    const entry = log.at(start);
    assert.ok(entry?.sync, `at ${now} ms: burst start ${start} is not a sync entry`);
    assert.ok(now - entry.time >= T, `at ${now} ms: a burst of ${T} ms was asked, the log only gives ${now - entry.time} ms from a sync point`);
  }
});

test('trimming keeps lagMs behind the burst start: a listener that started with a burst can fall hard-lag behind it', () => {
  // As the hub configures it for burst-time 10 s and hard-lag 30 s: keepMs 10 s, lagMs 30 s. A
  // sync point every second, 1000 B/s, for 100 s.
  const BURST = 10_000;
  const LAG = 30_000;
  const log = new StreamLog(BURST, 0, 1e9, LAG);
  for (let i = 0; i < 100; i++) {
    const now = i * 1000;
    log.append(Buffer.alloc(1000), true, now);
    const burstStart = log.at(log.burstStart({ ms: BURST }, now))!;
    const oldest = held(log)[0]!;
    if (now >= BURST + LAG) {
      // A listener admitted now starts at burstStart; its oldest unread byte may be LAG older.
      assert.equal(burstStart.time - oldest.time, LAG, `at ${now} ms: the oldest entry held is ${burstStart.time - oldest.time} ms before the burst start`);
      assert.equal(log.heldMs(now), BURST + LAG);
    } else {
      assert.equal(oldest.seq, 0, `at ${now} ms: nothing is old enough to go yet`);
    }
  }

  // Sync points 8 s apart: kept back to the newest sync point at least LAG before the burst start.
  const sparse = new StreamLog(BURST, 0, 1e9, LAG);
  for (let i = 0; i < 100; i++) sparse.append(Buffer.alloc(1000), i % 8 === 0, i * 1000);
  const burstStart = sparse.at(sparse.burstStart({ ms: BURST }, 99_000))!;
  const oldest = held(sparse)[0]!;
  assert.ok(oldest.sync, 'the oldest entry held is a sync point');
  assert.ok(burstStart.time - oldest.time >= LAG && burstStart.time - oldest.time < LAG + 8000, `the oldest entry held is ${burstStart.time - oldest.time} ms before the burst start`);
});

test('entryAtOffset: the entry holding each stream byte; undefined outside what is held', () => {
  const log = new StreamLog(1000, 0, 1e9);
  fill(log, 50, { time: (i) => i * 100 });
  const entries = held(log);
  assert.ok(log.oldest > 0, 'some entries were trimmed');
  for (const entry of entries) {
    for (const offset of [entry.offset, entry.offset + 1, entry.offset + entry.data.length - 1]) {
      assert.equal(log.entryAtOffset(offset)?.seq, entry.seq, `offset ${offset}`);
    }
  }
  assert.equal(log.entryAtOffset(entries[0]!.offset - 1), undefined, 'a trimmed byte');
  assert.equal(log.entryAtOffset(0), undefined, 'the first byte, trimmed');
  assert.equal(log.entryAtOffset(log.totalBytes), undefined, 'not yet in the stream');
  assert.equal(new StreamLog(1000, 0, 1e9).entryAtOffset(0), undefined, 'an empty log');
});

test('bitsPerSecond: the bitrate over the window, or since the first buffer when the stream is younger', () => {
  const log = new StreamLog(60_000, 0, 1e9);
  assert.equal(log.bitsPerSecond(0, 10_000), 0, 'no data yet');
  // 1000 bytes every 100 ms: 80 000 bit/s.
  for (let i = 0; i < 10; i++) log.append(Buffer.alloc(1000), true, i * 100);
  assert.equal(log.bitsPerSecond(1000, 10_000), 80_000, 'one second of stream, window 10 s');
  for (let i = 10; i < 300; i++) log.append(Buffer.alloc(1000), true, i * 100);
  assert.equal(log.bitsPerSecond(30_000, 10_000), 80_000, '30 s of stream, window 10 s');
  // The rate doubles for the last 10 s: the window sees only the new rate.
  for (let i = 300; i < 400; i++) log.append(Buffer.alloc(2000), true, i * 100);
  assert.equal(log.bitsPerSecond(40_000, 10_000), 160_000);
  // A longer window averages both.
  assert.equal(log.bitsPerSecond(40_000, 20_000), 120_000);
});
