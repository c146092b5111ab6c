/**
 * `flowcast archive check` and `flowcast archive reindex` on recordings made by the recorder from
 * a real Vorbis/Ogg stream: check reports closed, open and damaged state and exits non-zero on a
 * problem; reindex rebuilds the index and catalog from the media alone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CATALOG_FILE, readCatalog, readFileIndex } from '@flowcast/core';
import { runCli } from '@flowcast/core/testing';
import { Recorder } from '../src/recorder';
import { encodedStream, HEADER_FLAGS, memoryLogger, ROOT, tempDir } from './support';

const stream = encodedStream(20);

async function recordDirectory(leaveOpen: boolean): Promise<string> {
  const directory = tempDir();
  const recorder = new Recorder({ directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 5000, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000 }, memoryLogger(), true);
  recorder.setFormat('application/ogg', stream.headers);
  for (const header of stream.headers) recorder.push(header, HEADER_FLAGS, -1, 0);
  const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);
  stream.pages.forEach((page) => recorder.push(page.bytes, 0, page.pts, t0 + page.pts));
  recorder.flush();
  if (leaveOpen) await new Promise((resolve) => setTimeout(resolve, 300));
  else await recorder.close(t0 + 20_000);
  return directory;
}

test('archive check: all closed and whole exits 0; an open recording and a damaged index line are reported, exit 1', { timeout: 30_000 }, async () => {
  const good = await recordDirectory(false);
  const ok = await runCli(['archive', 'check', good], { cwd: ROOT });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const count = readCatalog(good).recordings.length;
  assert.ok(count >= 4);
  assert.match(ok.stdout, new RegExp(`${count} recordings, ${count} closed, 0 with problems, 0 index lines skipped`));

  const open = await recordDirectory(true);
  fs.appendFileSync(path.join(open, CATALOG_FILE), '{"close":"2026-06');
  const bad = await runCli(['archive', 'check', open], { cwd: ROOT });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /: OPEN, .*not closed/);
  assert.match(bad.stdout, /catalog\.jsonl:\d+: skipped a line that cannot be read/);
  assert.match(bad.stdout, /1 with problems, 1 index lines skipped/);

  const missing = await runCli(['archive', 'check', path.join(good, 'nope')], { cwd: ROOT });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /is not a directory/);
});

test('archive reindex rebuilds the same sync points (offsets and stream times) and the catalog from the media', { timeout: 30_000 }, async () => {
  const directory = await recordDirectory(false);
  const before = readCatalog(directory).recordings;
  const indexes = before.map((r) => readFileIndex(directory, r.file));
  for (const r of before) fs.rmSync(path.join(directory, `${r.file}.idx`));
  fs.rmSync(path.join(directory, CATALOG_FILE));
  const result = await runCli(['archive', 'reindex', directory], { cwd: ROOT });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`reindexed ${before.length} recordings`));
  const after = readCatalog(directory).recordings;
  assert.deepEqual(
    after.map((r) => [r.file, r.size, r.closed]),
    before.map((r) => [r.file, r.size, true]),
  );
  // Start times from the names (to the second); sync points from the pages.
  after.forEach((r, i) => assert.equal(r.start, Math.floor(before[i]!.start / 1000) * 1000));
  before.forEach((r, i) => {
    const rebuilt = readFileIndex(directory, r.file);
    assert.deepEqual(
      rebuilt.syncs.map((s) => s.o),
      indexes[i]!.syncs.map((s) => s.o),
    );
    rebuilt.syncs.forEach((s, j) => assert.ok(Math.abs(s.t - indexes[i]!.syncs[j]!.t) <= 30, `stream time ${s.t} vs ${indexes[i]!.syncs[j]!.t}`));
    assert.equal(rebuilt.open?.headers, indexes[i]!.open?.headers);
  });
  const check = await runCli(['archive', 'check', directory], { cwd: ROOT });
  assert.equal(check.code, 0, check.stdout);
});
