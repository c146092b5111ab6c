/**
 * The recorder's decisions on a real Vorbis/Ogg stream made by GStreamer, with wall-clock times
 * given by the test (so a day of hourly files takes a second): rotation on the clock and by size,
 * no gap and no overlap between files, start and stop, and closing what a crash left open.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { closeInterrupted, readCatalog, readFileIndex } from '@flowcast/core';
import { decodes, discover } from '@flowcast/core/testing';
import { Recorder, type RecorderOptions } from '../src/recorder';
import { icalSchedule } from '../src/ical-schedule';
import { cronSchedule } from '../src/schedule';
import { assertSeamless, encodedStream, HEADER_FLAGS, memoryLogger, pagesOf, tempDir, type EncodedStream } from './support';

const HOUR = 3_600_000;
const stream: EncodedStream = encodedStream(110);

function options(directory: string, more: Partial<RecorderOptions> = {}): RecorderOptions {
  return { directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 0, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000, ...more };
}

/** Give the recorder the stream's headers (as oggmux sends them: in the caps, and as flagged buffers). */
function begin(recorder: Recorder): void {
  recorder.setFormat('application/ogg', stream.headers);
  for (const header of stream.headers) recorder.push(header, HEADER_FLAGS, -1, 0);
}

test('a simulated day with rotate-time 3600: one file per hour, each starting at the first page at or after the hour, seamless, each playable', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const recorder = new Recorder(options(directory, { rotateEveryMs: HOUR }), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.UTC(2026, 11, 1, 0, 0, 0) - 3 * 60_000; // 23:57 the day before
  const step = (24 * HOUR + 6 * 60_000) / stream.pages.length; // a page every ~7 minutes of "wall-clock time"
  stream.pages.forEach((page, i) => {
    recorder.push(page.bytes, 0, page.pts, t0 + i * step);
    recorder.flush();
  });
  await recorder.close(t0 + stream.pages.length * step);

  const recordings = readCatalog(directory).recordings;
  assert.equal(recordings.length, 25, recordings.map((r) => r.file).join('\n'));
  assert.ok(recordings.every((r) => r.closed));
  recordings.slice(1).forEach((r, i) => {
    const hour = Date.UTC(2026, 11, 1, i, 0, 0);
    assert.ok(r.start >= hour && r.start < hour + step, `${r.file} starts ${r.start - hour} ms after ${new Date(hour).toISOString()}`);
    assert.equal(r.file, `2026-12-01_${String(i).padStart(2, '0')}-${new Date(r.start).toISOString().slice(14, 16)}-${new Date(r.start).toISOString().slice(17, 19)}.ogg`);
  });
  recordings.slice(0, -1).forEach((r, i) => assert.equal(r.end, recordings[i + 1]!.start, 'each ends where the next starts'));
  assert.deepEqual(
    recordings.map((r) => r.reason),
    [...Array(24).fill('rotate'), 'stop'],
  );
  const files = assertSeamless(directory, assert);
  assert.equal(
    files.reduce((n, f) => n + f.data.length, 0),
    stream.pages.length,
    'every page recorded once',
  );
  for (const r of recordings.slice(0, 3)) {
    const decoded = await decodes(path.join(directory, r.file));
    assert.ok(decoded.ok, `${r.file}: ${decoded.output}`);
    const info = await discover(path.join(directory, r.file));
    assert.equal(info.audioCodec, 'Vorbis', info.report);
  }
  // The index: a sync point per page, at the offsets where the pages are, with their times.
  const index = readFileIndex(directory, recordings[1]!.file);
  const pages = pagesOf(path.join(directory, recordings[1]!.file));
  assert.deepEqual(
    index.syncs.map((s) => s.o),
    pages.data.map((p) => p.offset),
  );
  assert.equal(index.syncs[0]!.o, index.open!.headers);
  assert.equal(index.syncs[0]!.w, recordings[1]!.start);
  assert.equal(index.close?.size, fs.statSync(path.join(directory, recordings[1]!.file)).size);
});

test('rotate-size: a new file at the first page once a file reaches the size, seamless', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const recorder = new Recorder(options(directory, { rotateSize: 40_000 }), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.now();
  stream.pages.forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + i * 500));
  recorder.flush();
  await recorder.close(t0 + stream.pages.length * 500);
  const recordings = readCatalog(directory).recordings;
  assert.ok(recordings.length >= 3, `${recordings.length} files`);
  for (const r of recordings.slice(0, -1)) {
    assert.equal(r.reason, 'size');
    assert.ok(r.size! >= 40_000 && r.size! < 40_000 + 10_000, `${r.file}: ${r.size} bytes`);
  }
  assertSeamless(directory, assert);
});

test('stopRecording closes the file at once and records nothing until startRecording, which resumes at a sync point', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const recorder = new Recorder(options(directory), memoryLogger(), false);
  begin(recorder);
  const t0 = Date.now();
  const push = (from: number, to: number) => stream.pages.slice(from, to).forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + (from + i) * 500));
  push(0, 10);
  recorder.flush();
  assert.equal(recorder.state, 'stopped');
  assert.equal(readCatalog(directory).recordings.length, 0, 'start-recording false: nothing recorded');
  recorder.startRecording();
  push(10, 40);
  recorder.flush();
  await recorder.stopRecording(t0 + 40 * 500);
  assert.equal(recorder.state, 'stopped');
  push(40, 60);
  recorder.startRecording();
  push(60, 80);
  await recorder.close(t0 + 80 * 500);
  const files = readCatalog(directory).recordings.map((r) => pagesOf(path.join(directory, r.file)));
  assert.equal(files.length, 2);
  assert.deepEqual(
    files.map((f) => [f.data[0]!.sequence, f.data.length]),
    [
      [pagesOf0(10), 30],
      [pagesOf0(60), 20],
    ],
  );
  assert.deepEqual(
    readCatalog(directory).recordings.map((r) => r.reason),
    ['stop', 'stop'],
  );
});

/** The page sequence number of the stream's data page `i`. */
function pagesOf0(i: number): number {
  return stream.pages[i]!.bytes.readUInt32LE(18);
}

test('a recording a crash left open (half a page at its end) is cut to its last whole page and closed at start-up', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const recorder = new Recorder(options(directory), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.now();
  stream.pages.slice(0, 30).forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + i * 500));
  recorder.flush();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the writes reach the kernel; no close
  const open = readCatalog(directory).recordings;
  assert.equal(open.length, 1);
  assert.equal(open[0]!.closed, false);
  const file = path.join(directory, open[0]!.file);
  const whole = fs.statSync(file).size;
  fs.appendFileSync(file, stream.pages[30]!.bytes.subarray(0, 700)); // a page cut short, as by a power cut
  fs.appendFileSync(`${file}.idx`, '{"o":12'); // and an index line cut short

  const closed = closeInterrupted(directory);
  assert.deepEqual(closed, [{ file: open[0]!.file, sizeFound: whole + 700, size: whole, end: t0 + 29 * 500 }]);
  assert.equal(fs.statSync(file).size, whole);
  const after = readCatalog(directory).recordings[0]!;
  assert.equal(after.closed, true);
  assert.equal(after.reason, 'interrupted');
  const index = readFileIndex(directory, open[0]!.file);
  assert.equal(index.skipped.length, 1, 'the cut line is skipped and reported');
  assert.equal(index.close?.reason, 'interrupted');
  assert.equal(index.syncs.length, 30);
  const decoded = await decodes(file);
  assert.ok(decoded.ok, decoded.output);
  assert.deepEqual(closeInterrupted(directory), [], 'closing twice changes nothing');
});

test('new stream headers in the caps (the stream restarted) start a new file that begins with them', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const other = encodedStream(3); // another oggmux run: another serial number, so other header pages
  const recorder = new Recorder(options(directory), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.now();
  stream.pages.slice(0, 10).forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + i * 500));
  recorder.setFormat('application/ogg', other.headers);
  other.pages.forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + 5000 + i * 500));
  await recorder.close(t0 + 10_000);
  const recordings = readCatalog(directory).recordings;
  assert.equal(recordings.length, 2);
  const second = pagesOf(path.join(directory, recordings[1]!.file));
  assert.ok(Buffer.concat(second.headers.map((p) => p.bytes)).equals(Buffer.concat(other.headers)), 'the second file starts with the new headers');
  assert.equal(second.data.length, other.pages.length);
  for (const r of recordings) assert.ok((await decodes(path.join(directory, r.file))).ok);
});

test('rotate-schedule (cron, via cron-parser): files at the first page at or after each time the expression falls', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  // At 6:00 and 18:00, and every quarter of an hour between 12:00 and 12:59.
  const recorder = new Recorder(options(directory, { schedule: cronSchedule('0,15,30,45 12 * * *', 'utc') }), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.UTC(2026, 11, 1, 11, 0, 0);
  const step = (3 * HOUR) / stream.pages.length; // 11:00 to 14:00
  stream.pages.forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + i * step));
  await recorder.close(t0 + 3 * HOUR);
  const starts = readCatalog(directory).recordings.slice(1).map((r) => r.start);
  const marks = [0, 15, 30, 45].map((m) => Date.UTC(2026, 11, 1, 12, m, 0));
  assert.equal(starts.length, marks.length, starts.map((s) => new Date(s).toISOString()).join(' '));
  starts.forEach((start, i) => assert.ok(start >= marks[i]! && start < marks[i]! + step, `${new Date(start).toISOString()} after ${new Date(marks[i]!).toISOString()}`));
  assertSeamless(directory, assert);
  assert.throws(() => cronSchedule('every hour', 'utc'));
});

test('time-overlap 5: each file goes on 5 s into the next (the same pages in both), then ends at a page; every file plays', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const recorder = new Recorder(options(directory, { rotateEveryMs: 20_000, overlapMs: 5_000 }), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.UTC(2026, 11, 1, 12, 0, 3);
  stream.pages.forEach((page) => {
    recorder.push(page.bytes, 0, page.pts, t0 + page.pts);
    recorder.flush();
  });
  await recorder.close(t0 + stream.pages.at(-1)!.pts + 500);
  const recordings = readCatalog(directory).recordings;
  assert.ok(recordings.length >= 4, `${recordings.length} files`);
  const files = recordings.map((r) => pagesOf(path.join(directory, r.file)));
  for (let i = 1; i < recordings.length; i++) {
    const [before, after] = [files[i - 1]!, files[i]!];
    const shared = before.data.filter((p) => p.sequence >= after.data[0]!.sequence);
    const wallOf = (r: (typeof recordings)[0], sequence: number): number => readFileIndex(directory, r.file).syncs[files[recordings.indexOf(r)]!.data.findIndex((p) => p.sequence === sequence)]!.w;
    // Where the last page both hold ends: where the next page starts, in the new file.
    const overlap = wallOf(recordings[i]!, shared.at(-1)!.sequence + 1) - recordings[i]!.start;
    // The file that ends holds the next one's pages up to the first page at or after 5 s, the same bytes.
    assert.ok(overlap >= 5_000 && overlap < 5_000 + 600, `${recordings[i - 1]!.file} overlaps ${recordings[i]!.file} by ${overlap} ms`);
    for (const page of shared) assert.ok(page.bytes.equals(after.data.find((p) => p.sequence === page.sequence)!.bytes), `page ${page.sequence} is the same in both`);
    assert.equal(recordings[i - 1]!.reason, 'rotate');
  }
  for (const r of recordings) {
    const decoded = await decodes(path.join(directory, r.file));
    assert.ok(decoded.ok, `${r.file}: ${decoded.output}`);
  }
});

test('time-overlap 0 (the default): no page in two files', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const recorder = new Recorder(options(directory, { rotateEveryMs: 20_000, overlapMs: 0 }), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.UTC(2026, 11, 1, 12, 0, 3);
  stream.pages.forEach((page) => recorder.push(page.bytes, 0, page.pts, t0 + page.pts));
  await recorder.close(t0 + stream.pages.at(-1)!.pts + 500);
  assert.ok(readCatalog(directory).recordings.length >= 4);
  assertSeamless(directory, assert);
});

test('rotate-ical (via ical.js): a file for each event, from its start to its end, recurring events and their time zone included', { timeout: 30_000 }, async () => {
  const directory = tempDir();
  const ics = path.join(tempDir(), 'shows.ics');
  fs.writeFileSync(
    ics,
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//flowcast//test//EN',
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Paris',
      'BEGIN:STANDARD',
      'DTSTART:19701025T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:19700329T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:news@flowcast',
      'DTSTAMP:20261101T000000Z',
      'DTSTART:20261201T113000Z',
      'DTEND:20261201T114500Z',
      'SUMMARY:News',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:hourly@flowcast',
      'DTSTAMP:20261101T000000Z',
      'DTSTART;TZID=Europe/Paris:20261130T130000',
      'DURATION:PT10M',
      'RRULE:FREQ=DAILY;COUNT=5',
      'SUMMARY:Headlines',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  );
  const recorder = new Recorder(options(directory, { schedule: icalSchedule(ics) }), memoryLogger(), true);
  begin(recorder);
  const t0 = Date.UTC(2026, 11, 1, 11, 0, 0);
  const step = (3 * HOUR) / stream.pages.length; // 11:00 to 14:00
  stream.pages.forEach((page, i) => recorder.push(page.bytes, 0, page.pts, t0 + i * step));
  await recorder.close(t0 + 3 * HOUR);
  const starts = readCatalog(directory).recordings.slice(1).map((r) => r.start);
  // News 11:30–11:45 UTC; Headlines every day at 13:00 Paris time (12:00 UTC in winter) for 10 minutes.
  const marks = [
    [11, 30],
    [11, 45],
    [12, 0],
    [12, 10],
  ].map(([h, m]) => Date.UTC(2026, 11, 1, h!, m!, 0));
  assert.equal(starts.length, marks.length, starts.map((s) => new Date(s).toISOString()).join(' '));
  starts.forEach((start, i) => assert.ok(start >= marks[i]! && start < marks[i]! + step, `${new Date(start).toISOString()} after ${new Date(marks[i]!).toISOString()}`));
  assertSeamless(directory, assert);
});
