/**
 * Listen again across recordings that overlap (recorder-disk's time-overlap): the pages both files
 * hold are sent once, the stream goes on without a repeat, and it decodes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { BufferFlag, OGG_HEADER_BOS, readCatalog, scanOggFile } from '@flowcast/core';
import { decodes } from '@flowcast/core/testing';
import { Recorder } from '@flowcast/recorder-disk/dist/src/recorder';
import { assertContinuous, request, serveArchive, tempDir } from './support';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

test('listen again across files that overlap by 5 s: each page once, continuous, decoded whole', { timeout: 60_000 }, async () => {
  const source = path.join(tempDir('overlap-src-'), 'tone.ogg');
  execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', `num-buffers=${Math.ceil((60 * 44100) / 1024)}`, '!', 'audio/x-raw,rate=44100,channels=2', '!', 'vorbisenc', '!', 'oggmux', '!', 'filesink', `location=${source}`]);
  const headers: Buffer[] = [];
  const pages: { bytes: Buffer; pts: number }[] = [];
  let granule = 0n;
  scanOggFile(source, (page) => {
    if ((page.headerType & OGG_HEADER_BOS) !== 0 || (page.granule === 0n && pages.length === 0)) headers.push(Buffer.from(page.bytes));
    else {
      pages.push({ bytes: Buffer.from(page.bytes), pts: Number((granule * 1000n) / 44100n) });
      if (page.granule > 0n) granule = page.granule;
    }
  });
  const directory = tempDir();
  const recorder = new Recorder({ directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 20_000, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000, overlapMs: 5_000 }, quiet, true);
  recorder.setFormat('application/ogg', headers);
  for (const h of headers) recorder.push(h, BufferFlag.header, -1, 0);
  const t0 = Date.UTC(2026, 11, 1, 12, 0, 3);
  for (const page of pages) {
    recorder.push(page.bytes, 0, page.pts, t0 + page.pts);
    recorder.flush();
  }
  await recorder.close(t0 + pages.at(-1)!.pts + 500);
  assert.ok(readCatalog(directory).recordings.length >= 3);
  const { flow, port } = await serveArchive(directory, 'overlap');
  try {
    const answer = await request(port, `/archive?start=${new Date(t0 + 10_000).toISOString()}&duration=40`);
    assert.equal(answer.status, 200);
    const { data } = assertContinuous(answer.body, assert);
    const seconds = Number(data.at(-1)!.granule - data[0]!.granule) / 44100;
    assert.ok(seconds > 38 && seconds < 41, `${seconds.toFixed(1)} s of pages across the files`);
    const decoded = await decodes(answer.body);
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
