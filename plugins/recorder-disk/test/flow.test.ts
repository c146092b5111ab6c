/**
 * recorder-disk in real flows run by `flowcast run`: producer-test → encoder-vorbis → muxer-ogg →
 * recorder-disk, files decoded by GStreamer and ffprobe; a real kill -9 and a restart; a directory
 * that cannot be written fails preflight naming it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readCatalog, readFileIndex } from '@flowcast/core';
import { decodes, discover, runCli, startFlow, writeFlow } from '@flowcast/core/testing';
import { assertSeamless, ROOT, tempDir } from './support';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function recordingFlow(directory: string, properties: string): string {
  return writeFlow(`name: recording
components:
  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  rec:
    type: recorder-disk
    eats: mux
    properties: { directory: ${JSON.stringify(directory)}, ${properties} }
`);
}

/** ffprobe's duration of a file, in seconds. */
function ffprobeDuration(file: string): { codec: string; duration: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file], { encoding: 'utf8' });
  const json = JSON.parse(out) as { streams: { codec_name: string }[]; format: { duration: string } };
  return { codec: json.streams[0]!.codec_name, duration: Number(json.format.duration) };
}

test('a live flow recorded with rotate-time 2: files on the 2-second marks, seamless, each decoded by GStreamer and ffprobe', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const flow = await startFlow(recordingFlow(directory, 'rotate-time: 2'), { cwd: ROOT });
  await sleep(5500);
  assert.equal(await flow.stop(), 0, flow.stderr());
  const recordings = readCatalog(directory).recordings;
  assert.ok(recordings.length >= 3, `${recordings.length} files`);
  assert.ok(recordings.every((r) => r.closed));
  // Each file after the first starts at the first sync point at or after a 2-second mark: at or
  // after the mark, and the file before it has no sync point at or after it.
  recordings.slice(1).forEach((r, i) => {
    const mark = Math.floor(r.start / 2000) * 2000;
    const before = readFileIndex(directory, recordings[i]!.file).syncs;
    assert.ok(mark > recordings[i]!.start, `${r.file}: a mark passed since the file before started`);
    assert.ok(before.every((s) => s.w < mark), `${recordings[i]!.file} has no sync point at or after ${new Date(mark).toISOString()}`);
    assert.equal(r.start, readFileIndex(directory, r.file).syncs[0]!.w, `${r.file} starts at its first sync point`);
  });
  assertSeamless(directory, assert);
  for (const r of recordings) {
    const file = path.join(directory, r.file);
    const decoded = await decodes(file);
    assert.ok(decoded.ok, `${r.file}: ${decoded.output}`);
    assert.equal((await discover(file)).audioCodec, 'Vorbis');
    const probe = ffprobeDuration(file);
    assert.equal(probe.codec, 'vorbis');
    assert.ok(probe.duration > 0.3, `${r.file}: ${probe.duration} s`);
  }
});

test('kill -9 while recording: at restart the interrupted file is closed, plays, and lost at most 1 s', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const file = recordingFlow(directory, 'rotate-time: 0');
  const first = await startFlow(file, { cwd: ROOT });
  await sleep(3500);
  const killedAt = Date.now();
  first.process.kill('SIGKILL');
  await first.exited;
  const interrupted = readCatalog(directory).recordings;
  assert.equal(interrupted.length, 1);
  assert.equal(interrupted[0]!.closed, false, 'open after the kill');

  const second = await startFlow(file, { cwd: ROOT });
  await sleep(1500);
  assert.equal(await second.stop(), 0, second.stderr());
  assert.match(second.stderr(), /closed a recording interrupted by a crash/);
  const recordings = readCatalog(directory).recordings;
  assert.equal(recordings.length, 2);
  const [old, fresh] = recordings as [(typeof recordings)[0], (typeof recordings)[0]];
  assert.equal(old.closed, true);
  assert.equal(old.reason, 'interrupted');
  assert.equal(fresh.reason, 'stop');
  const oldFile = path.join(directory, old.file);
  assert.equal(old.size, fs.statSync(oldFile).size);
  const decoded = await decodes(oldFile);
  assert.ok(decoded.ok, decoded.output);
  const lastSync = readFileIndex(directory, old.file).syncs.at(-1)!;
  assert.ok(killedAt - lastSync.w <= 1000, `the last page recorded arrived ${killedAt - lastSync.w} ms before the kill`);
  const probe = ffprobeDuration(oldFile);
  const recordedFor = (killedAt - old.start) / 1000;
  // What plays, against the wall-clock time from the first page to the kill (the pipeline's own
  // latency comes on top of the 1 s, hence 1.5 s).
  assert.ok(probe.duration >= recordedFor - 1.5 && probe.duration <= recordedFor + 0.5, `plays ${probe.duration} s of the ${recordedFor} s recorded before the kill`);
  const check = await runCli(['archive', 'check', directory], { cwd: ROOT });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /2 recordings, 2 closed, 0 with problems, 0 index lines skipped/);
});

test('a recordings directory that cannot be written fails preflight, naming it; nothing starts', { timeout: 30_000 }, async () => {
  const blocker = path.join(tempDir(), 'a-file');
  fs.writeFileSync(blocker, '');
  const directory = path.join(blocker, 'recordings');
  const result = await runCli(['run', recordingFlow(directory, 'rotate-time: 0')], { cwd: ROOT, timeoutMs: 30_000 });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr + result.stdout, /FC_PREFLIGHT/);
  assert.ok((result.stderr + result.stdout).includes(`recordings directory "${directory}" is not writable`), result.stderr);
});

test('a second recorder on a directory another process records into fails preflight naming that process', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const file = recordingFlow(directory, 'rotate-time: 0');
  const first = await startFlow(file, { cwd: ROOT });
  try {
    for (let i = 0; i < 50 && readCatalog(directory).recordings.length === 0; i++) await sleep(100);
    const second = await runCli(['run', file], { cwd: ROOT, timeoutMs: 30_000 });
    assert.notEqual(second.code, 0);
    assert.ok(second.stderr.includes(`recordings directory "${directory}" is being recorded into by another process (pid ${first.process.pid})`), second.stderr);
    assert.equal(readCatalog(directory).recordings.filter((r) => !r.closed).length, 1, "the first recorder's file is untouched");
  } finally {
    assert.equal(await first.stop(), 0);
  }
  assert.equal(fs.existsSync(path.join(directory, '.recorder.pid')), false, 'the lock goes with the recorder');
});

test('a rotate-schedule that is not a cron expression fails preflight, naming the property', { timeout: 30_000 }, async () => {
  const result = await runCli(['run', recordingFlow(tempDir(), 'rotate-schedule: "61 * * * * *"')], { cwd: ROOT, timeoutMs: 30_000 });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /rotate-schedule "61 \* \* \* \* \*" is not a cron expression/);
});

test('a rotate-ical file that is missing or not iCalendar fails preflight, naming the property and the file', { timeout: 60_000 }, async () => {
  const missing = path.join(tempDir(), 'none.ics');
  const result = await runCli(['run', recordingFlow(tempDir(), `rotate-ical: ${JSON.stringify(missing)}`)], { cwd: ROOT, timeoutMs: 30_000 });
  assert.notEqual(result.code, 0);
  assert.ok(result.stderr.includes(`rotate-ical ${missing} cannot be used`), result.stderr);
  const bad = path.join(tempDir(), 'bad.ics');
  fs.writeFileSync(bad, 'BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n');
  const empty = await runCli(['run', recordingFlow(tempDir(), `rotate-ical: ${JSON.stringify(bad)}`)], { cwd: ROOT, timeoutMs: 30_000 });
  assert.notEqual(empty.code, 0);
  assert.match(empty.stderr, /rotate-ical .*bad\.ics cannot be used: it holds no event/);
});
