/**
 * Retention by age, total size and free space on real recordings, never touching the file being
 * written; and a full disk (a real, small tmpfs): recording goes sad with the reason, then resumes
 * when space returns.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CATALOG_FILE, compactCatalog, jsonLine, readCatalog } from '@flowcast/core';
import { Recorder, type RecorderOptions } from '../src/recorder';
import { applyRetention } from '../src/retention';
import { encodedStream, HEADER_FLAGS, memoryLogger, tempDir } from './support';

const stream = encodedStream(60);
const MINUTE = 60_000;

function options(directory: string, more: Partial<RecorderOptions> = {}): RecorderOptions {
  return { directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 10 * MINUTE, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000, ...more };
}

/** Record the stream into files of 10 minutes of "wall-clock time" each; the last stays open. */
function recordSome(directory: string, t0: number): { recorder: Recorder; pagesPushed: number } {
  const recorder = new Recorder(options(directory), memoryLogger(), true);
  recorder.setFormat('application/ogg', stream.headers);
  for (const header of stream.headers) recorder.push(header, HEADER_FLAGS, -1, 0);
  stream.pages.forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + i * MINUTE));
  recorder.flush();
  return { recorder, pagesPushed: stream.pages.length };
}

test('retention by age deletes the recordings that ended too long ago, and notes each deletion in the catalog', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const t0 = Date.UTC(2026, 0, 1);
  const { recorder } = recordSome(directory, t0);
  await recorder.settled();
  const before = readCatalog(directory).recordings;
  const now = t0 + 60 * MINUTE;
  const deleted = applyRetention(directory, { maxAgeMs: 30 * MINUTE, maxTotalBytes: 0, minFreeBytes: 0 }, now);
  const expected = before.filter((r) => r.closed && r.end! < now - 30 * MINUTE).map((r) => r.file);
  assert.ok(expected.length >= 2, `${expected.length} old enough`);
  assert.deepEqual(
    deleted.map((d) => [d.file, d.reason]),
    expected.map((f) => [f, 'age']),
  );
  for (const file of expected) {
    assert.equal(fs.existsSync(path.join(directory, file)), false);
    assert.equal(fs.existsSync(path.join(directory, `${file}.idx`)), false);
  }
  assert.deepEqual(
    readCatalog(directory).recordings.map((r) => r.file),
    before.map((r) => r.file).filter((f) => !expected.includes(f)),
  );
  await recorder.close(now);
});

test('retention by total size and by free space delete the oldest first and never the file being written', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const { recorder } = recordSome(directory, Date.UTC(2026, 0, 1));
  await recorder.settled();
  const current = recorder.currentFile!;
  const closed = readCatalog(directory).recordings.filter((r) => r.closed);
  const keepBytes = closed.at(-1)!.size! + closed.at(-2)!.size!;
  const bySize = applyRetention(directory, { maxAgeMs: 0, maxTotalBytes: keepBytes, minFreeBytes: 0 }, Date.now());
  assert.deepEqual(
    bySize.map((d) => d.file),
    closed.slice(0, -2).map((r) => r.file),
  );
  assert.ok(bySize.every((d) => d.reason === 'size'));
  // Free space: pretend the disk has none; every closed recording goes, the open one stays.
  const byFree = applyRetention(directory, { maxAgeMs: 0, maxTotalBytes: 0, minFreeBytes: 2 ** 40 }, Date.now(), () => 0);
  assert.deepEqual(
    byFree.map((d) => [d.file, d.reason]),
    closed.slice(-2).map((r) => [r.file, 'free-space']),
  );
  assert.ok(fs.existsSync(path.join(directory, current)), 'the recording in progress is untouched');
  assert.deepEqual(
    readCatalog(directory).recordings.map((r) => r.file),
    [current],
  );
  await recorder.close(Date.now());
});

test('a full disk makes recording sad with the reason; it resumes at a sync point once space returns', { timeout: 30_000 }, async (t) => {
  const mountPoint = tempDir('recorder-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (error) {
    t.skip(`needs a small tmpfs (mount as root): ${(error as Error).message.split('\n')[0]}`);
    return;
  }
  try {
    const logger = memoryLogger();
    const recorder = new Recorder(options(mountPoint, { rotateEveryMs: 0, retryAfterMs: 5000 }), logger, true);
    recorder.setFormat('application/ogg', stream.headers);
    const t0 = Date.now();
    let i = 0;
    const pushUntil = async (done: () => boolean, limit: number): Promise<void> => {
      while (!done() && i < limit) {
        const page = stream.pages[i]!;
        recorder.push(page.bytes, 0, page.pts, t0 + i * 500);
        recorder.flush();
        i++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await pushUntil(() => recorder.state === 'sad', 60);
    await recorder.settled();
    assert.equal(recorder.state, 'sad', 'sad once the disk is full');
    assert.match(recorder.reason ?? '', /no space left on device|ENOSPC/i);
    assert.ok(logger.lines.some((l) => /^error recording is sad: .*ENOSPC/.test(l)), logger.lines.join('\n'));
    const first = readCatalog(mountPoint).recordings[0]!;
    // Space returns: the operator removes the file; recording resumes after the retry delay.
    fs.rmSync(path.join(mountPoint, first.file));
    fs.rmSync(path.join(mountPoint, `${first.file}.idx`));
    const sadAt = i;
    await pushUntil(() => recorder.state === 'recording' && recorder.currentFile !== undefined, stream.pages.length);
    assert.equal(recorder.state, 'recording');
    assert.ok(i - sadAt >= 10, `not before the retry delay (${i - sadAt} pages later)`);
    assert.ok(logger.lines.some((l) => l.startsWith('info recording resumed')));
    await recorder.close(Date.now());
  } finally {
    execFileSync('umount', [mountPoint]);
  }
});

test('the catalog is compacted once deleted recordings are most of it: the same recordings, fewer lines, a cut line dropped', () => {
  const directory = tempDir();
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const file = `old-${i}.ogg`;
    lines.push(jsonLine({ open: file, type: 'application/ogg', start: i }), jsonLine({ close: file, end: i + 1, size: 10, reason: 'rotate' }), jsonLine({ delete: file, at: 1000, reason: 'age' }));
  }
  for (let i = 0; i < 10; i++) lines.push(jsonLine({ open: `kept-${i}.ogg`, type: 'application/ogg', start: 2000 + i }), jsonLine({ close: `kept-${i}.ogg`, end: 2001 + i, size: 20, reason: 'rotate' }));
  lines.push(jsonLine({ open: 'current.ogg', type: 'application/ogg', start: 3000 }), '{"close":"curr');
  const catalog = path.join(directory, CATALOG_FILE);
  fs.writeFileSync(catalog, lines.join(''));
  const before = readCatalog(directory).recordings;
  assert.equal(compactCatalog(directory), 1222 - 21);
  assert.deepEqual(readCatalog(directory), { recordings: before, skipped: [] });
  assert.equal(fs.readFileSync(catalog, 'utf8').split('\n').length - 1, 21);
  assert.equal(compactCatalog(directory), 0, 'a small catalog is left as it is');
});
