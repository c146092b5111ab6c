/**
 * WebM: a real webmmux stream (streamable, as a live flow makes it) taken from core's
 * flowcastbatchsink with its flags and timestamps, recorded with rotation. Each file starts with
 * the EBML header and tracks at a cluster, plays in GStreamer and ffprobe, and the files together
 * hold exactly the stream's clusters, once each (compared with an unrotated recording of the same
 * buffers).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BATCH_SINK, BatchSinkChannel, CATALOG_FILE, closeInterrupted, readCatalog, readFileIndex, reindexArchive, type StreamBatch } from '@flowcast/core';
import { discover } from '@flowcast/core/testing';
import { Recorder, type RecorderOptions } from '../src/recorder';
import { memoryLogger, tempDir } from './support';

interface Pipeline {
  findChild(name: string): Record<string, unknown>;
  play(): void;
  stop(): void;
}
// The GStreamer binding core runs flows with (a dependency of @flowcast/core).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst = require('gstreamer-superficial') as { Pipeline: new (description: string) => Pipeline };

/** 12 s of Vorbis in streamable WebM, as the batch sink hands it over. */
async function captureWebm(): Promise<StreamBatch[]> {
  const channel = new BatchSinkChannel(() => undefined);
  const pipeline = new gst.Pipeline(`audiotestsrc num-buffers=520 samplesperbuffer=1024 ! audio/x-raw,rate=44100 ! vorbisenc ! webmmux streamable=true ! ${BATCH_SINK} name=sink`);
  pipeline.findChild('sink').channel = channel.id;
  pipeline.play();
  const batches: StreamBatch[] = [];
  try {
    let quiet = 0;
    while (quiet < 20) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const batch = channel.take();
      if (batch) {
        batches.push(batch);
        quiet = 0;
      } else if (batches.length > 0) quiet++;
    }
  } finally {
    pipeline.stop();
    channel.close();
  }
  return batches;
}

function record(directory: string, batches: StreamBatch[], more: Partial<RecorderOptions>): Promise<void> {
  const recorder = new Recorder({ directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 0, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000, ...more }, memoryLogger(), true);
  const t0 = Date.UTC(2026, 11, 1, 10, 0, 0);
  for (const batch of batches) {
    if (batch.caps) recorder.setFormat(batch.caps.name, batch.caps.streamheader);
    batch.buffers.forEach((buffer, i) => recorder.push(buffer, batch.flags[i]!, batch.pts[i]!, t0 + Math.max(0, batch.pts[i]!)));
    recorder.flush();
  }
  return recorder.close(t0 + 20_000);
}

function packets(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
}

test('WebM recorded with rotate-time 3: files start at clusters with the headers, each plays, together they hold the stream once', { timeout: 60_000 }, async () => {
  const batches = await captureWebm();
  const rotated = tempDir();
  const whole = tempDir();
  await record(rotated, batches, { rotateEveryMs: 3000 });
  await record(whole, batches, {});
  const files = readCatalog(rotated).recordings;
  const [single] = readCatalog(whole).recordings;
  assert.ok(files.length >= 3, `${files.length} files`);
  assert.ok(files.every((f) => f.file.endsWith('.webm') && f.type === 'audio/webm'));
  const headerLength = readFileIndex(whole, single!.file).open!.headers;
  const singleBytes = fs.readFileSync(path.join(whole, single!.file));
  const headers = singleBytes.subarray(0, headerLength);
  assert.equal(headers.readUInt32BE(0), 0x1a45dfa3, 'an EBML header first');
  const pieces: Buffer[] = [];
  for (const f of files) {
    const file = path.join(rotated, f.file);
    const bytes = fs.readFileSync(file);
    const index = readFileIndex(rotated, f.file);
    assert.ok(bytes.subarray(0, index.open!.headers).equals(headers), `${f.file} starts with the stream headers`);
    assert.equal(bytes.readUInt32BE(index.open!.headers), 0x1f43b675, `${f.file}: a cluster right after them`);
    pieces.push(bytes.subarray(index.open!.headers));
    const info = await discover(file, '.webm');
    assert.match(info.report, /WebM|Matroska/i, info.report);
    assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
    assert.ok(packets(file) > 0);
  }
  assert.ok(Buffer.concat(pieces).equals(singleBytes.subarray(headerLength)), 'the rotated files hold exactly the clusters of the whole recording, in order');
  assert.equal(
    files.reduce((n, f) => n + packets(path.join(rotated, f.file)), 0),
    packets(path.join(whole, single!.file)),
    'as many audio packets',
  );
});

/** Time of the last audio packet ffprobe reads (a live WebM has no duration in its header). */
function ffprobeSeconds(file: string): number {
  const times = execFileSync('ffprobe', ['-v', 'quiet', '-select_streams', 'a:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number)
    .filter((t) => Number.isFinite(t));
  return Math.max(...times);
}

test('a WebM recording a crash cut in the middle of a block is cut to its last whole element at start-up, closed, and plays to there', { timeout: 60_000 }, async () => {
  const batches = await captureWebm();
  const directory = tempDir();
  // A recorder that is never closed (the process died), its file cut at 4 moments in turn.
  const recorder = new Recorder({ directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 0, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000 }, memoryLogger(), true);
  const t0 = Date.UTC(2026, 11, 1, 10, 0, 0);
  for (const batch of batches) {
    if (batch.caps) recorder.setFormat(batch.caps.name, batch.caps.streamheader);
    batch.buffers.forEach((buffer, i) => recorder.push(buffer, batch.flags[i]!, batch.pts[i]!, t0 + Math.max(0, batch.pts[i]!)));
    recorder.flush();
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // its writes reach the file
  const [recording] = readCatalog(directory).recordings;
  assert.ok(recording && !recording.closed);
  const file = path.join(directory, recording.file);
  const whole = fs.readFileSync(file);
  const index = readFileIndex(directory, recording.file);
  const wholeSeconds = ffprobeSeconds(file);
  for (const fraction of [0.3, 0.55, 0.8]) {
    const scratch = tempDir();
    const cut = Math.floor(whole.length * fraction) + 7; // inside a block
    fs.writeFileSync(path.join(scratch, recording.file), whole.subarray(0, cut));
    fs.copyFileSync(path.join(directory, recording.file + '.idx'), path.join(scratch, recording.file + '.idx'));
    fs.copyFileSync(path.join(directory, CATALOG_FILE), path.join(scratch, CATALOG_FILE));
    const [closed] = closeInterrupted(scratch);
    const repaired = path.join(scratch, recording.file);
    assert.ok(closed!.size < cut && closed!.size > cut - 2000, `cut at ${cut}, whole up to ${closed!.size}`);
    assert.equal(fs.statSync(repaired).size, closed!.size);
    assert.ok(readCatalog(scratch).recordings[0]!.closed, 'closed in the catalog');
    assert.equal(readCatalog(scratch).recordings[0]!.reason, 'interrupted');
    const info = await discover(repaired, '.webm');
    assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${repaired}`, '!', 'matroskademux', '!', 'vorbisdec', '!', 'fakesink']);
    const seconds = ffprobeSeconds(repaired);
    const lastCluster = index.syncs.filter((s) => s.o < closed!.size).at(-1)!;
    assert.ok(seconds >= (lastCluster.t - index.syncs[0]!.t) / 1000, `plays ${seconds} s, past its last cluster's start`);
    assert.ok(seconds <= wholeSeconds * fraction + 1, `plays ${seconds} s of ${wholeSeconds}`);
  }
});

test('archive reindex of WebM: the clusters as sync points (offsets and stream times as the recorder wrote them), the catalog rebuilt', { timeout: 60_000 }, async () => {
  const batches = await captureWebm();
  const directory = tempDir();
  await record(directory, batches, { rotateEveryMs: 4000 });
  const before = readCatalog(directory).recordings;
  const indexes = before.map((r) => readFileIndex(directory, r.file));
  for (const r of before) fs.rmSync(path.join(directory, r.file + '.idx'));
  fs.rmSync(path.join(directory, CATALOG_FILE));
  const result = reindexArchive(directory);
  assert.deepEqual(result.skipped, []);
  const after = readCatalog(directory).recordings;
  assert.deepEqual(
    after.map((r) => [r.file, r.type, r.size]),
    before.map((r) => [r.file, r.type, r.size]),
  );
  before.forEach((r, i) => {
    const rebuilt = readFileIndex(directory, r.file);
    assert.equal(rebuilt.open!.headers, indexes[i]!.open!.headers);
    assert.deepEqual(
      rebuilt.syncs.map((s) => s.o),
      indexes[i]!.syncs.map((s) => s.o),
    );
    // Cluster timecodes are the muxer's, to the millisecond of the buffers' times.
    rebuilt.syncs.forEach((s, k) => assert.ok(Math.abs(s.t - indexes[i]!.syncs[k]!.t) <= 1, `${r.file} cluster ${k}: ${s.t} ms, recorded ${indexes[i]!.syncs[k]!.t} ms`));
  });
});
