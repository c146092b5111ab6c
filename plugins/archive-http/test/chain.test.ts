/**
 * Listen-again across a restart of the stream: the flow recorded, stopped and recorded again, so
 * the second recording is another Ogg stream (other serial number, other header pages). The answer
 * is an Ogg chain: the first recording's pages, then the second's headers and pages. A player
 * (GStreamer's playbin, ffmpeg) decodes both links whole.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { OGG_HEADER_BOS, readCatalog } from '@flowcast/core';
import { startFlow, writeFlow } from '@flowcast/core/testing';
import { pagesIn, request, ROOT, serveArchive, sleep, tempDir } from './support';

function seconds(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
}

test('listen-again across a stop and restart of the flow: an Ogg chain that playbin and ffmpeg decode whole', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const recording = writeFlow(`name: twice
components:
  tone: { type: producer-test }
  enc: { type: encoder-vorbis, eats: tone }
  mux: { type: muxer-ogg, eats: enc }
  rec:
    type: recorder-disk
    eats: mux
    properties: { directory: ${JSON.stringify(directory)}, rotate-time: 0 }
`);
  for (let run = 0; run < 2; run++) {
    const flow = await startFlow(recording, { cwd: ROOT });
    await sleep(2500);
    assert.equal(await flow.stop(), 0);
  }
  const recordings = readCatalog(directory).recordings;
  assert.equal(recordings.length, 2);
  const { flow: archive, port } = await serveArchive(directory, 'archive');
  try {
    const answer = await request(port, `/archive?start=${new Date(recordings[0]!.start).toISOString()}&duration=600`);
    assert.equal(answer.status, 200);
    const pages = pagesIn(answer.body);
    const links = pages.filter((p) => (p.headerType & OGG_HEADER_BOS) !== 0).map((p) => p.serial);
    assert.equal(links.length, 2, 'two links, each with its headers');
    assert.notEqual(links[0], links[1]);
    const work = tempDir('chain-');
    const file = path.join(work, 'chain.ogg');
    fs.writeFileSync(file, answer.body);
    const expected = recordings.reduce((n, r) => n + seconds(path.join(directory, r.file)), 0);
    const wav = path.join(work, 'playbin.wav');
    execFileSync('gst-launch-1.0', ['-q', 'playbin', `uri=file://${file}`, `audio-sink=audioconvert ! audioresample ! audio/x-raw,format=S16LE,channels=1,rate=44100 ! wavenc ! filesink location=${wav}`], { timeout: 30_000 });
    assert.ok(Math.abs(seconds(wav) - expected) < 0.1, `playbin decoded ${seconds(wav)} s of ${expected} s`);
    const ffmpegWav = path.join(work, 'ffmpeg.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'wav', '-y', ffmpegWav]);
    assert.ok(Math.abs(seconds(ffmpegWav) - expected) < 0.1, `ffmpeg decoded ${seconds(ffmpegWav)} s of ${expected} s`);
  } finally {
    assert.equal(await archive.stop(), 0);
  }
});
