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
import { BATCH_SINK, BatchSinkChannel, readCatalog, readFileIndex, type StreamBatch } from '@flowcast/core';
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
