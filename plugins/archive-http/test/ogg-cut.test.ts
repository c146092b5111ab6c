/**
 * A page cut at a moment inside it (listen again): real Opus and Vorbis streams from GStreamer's
 * encoders, cut at many moments, still decode with GStreamer, and the samples decoded match the
 * packets kept: the cut starts at the first packet at or after the moment.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pageAt, type OggPage } from '@flowcast/core';
import { cutAt, packetTiming } from '../src/ogg-cut';
import { tempDir } from './support';

function encode(codec: 'opus' | 'vorbis'): Buffer {
  const file = path.join(tempDir('ogg-cut-'), `tone.${codec}.ogg`);
  const rate = codec === 'opus' ? 48000 : 44100;
  execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', 'num-buffers=200', 'samplesperbuffer=1024', '!', `audio/x-raw,rate=${rate},channels=1`, '!', codec === 'opus' ? 'opusenc' : 'vorbisenc', '!', 'oggmux', '!', 'filesink', `location=${file}`]);
  return fs.readFileSync(file);
}

function pages(data: Buffer): OggPage[] {
  const list: OggPage[] = [];
  for (let at = 0; ; ) {
    const page = pageAt(data, at);
    if (!page) return list;
    list.push(page);
    at += page.length;
  }
}

function decodedSamples(data: Buffer, codec: 'opus' | 'vorbis'): number {
  const directory = tempDir('ogg-cut-decode-');
  fs.writeFileSync(path.join(directory, 'in.ogg'), data);
  execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${path.join(directory, 'in.ogg')}`, '!', 'oggdemux', '!', codec === 'opus' ? 'opusdec' : 'vorbisdec', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE', '!', 'filesink', `location=${path.join(directory, 'out.raw')}`]);
  return fs.statSync(path.join(directory, 'out.raw')).size / 2;
}

for (const codec of ['opus', 'vorbis'] as const) {
  test(`ogg-cut: a ${codec} stream cut inside a page decodes, from the first packet at or after the moment`, { timeout: 60_000 }, () => {
    const data = encode(codec);
    const all = pages(data);
    const headerPages = all.filter((p) => p.granule === 0n);
    const headers = Buffer.concat(headerPages.map((p) => p.bytes));
    const timing = packetTiming(headers);
    assert.ok(timing, 'the codec timing is read from the headers');
    const audio = all.filter((p) => p.granule > 0n);
    // Pages 2 and 3 (each ends where the next begins); the moment inside page 3.
    const [previous, page, next] = [audio[2]!, audio[3]!, audio[4]!];
    const pageStart = (Number(previous.granule) * 1000) / timing.rate;
    const pageEnd = (Number(page.granule) * 1000) / timing.rate;
    let cuts = 0;
    for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const moment = pageStart + (pageEnd - pageStart) * fraction;
      const cut = cutAt(page.bytes, timing, pageEnd, moment);
      assert.ok(cut, `cut at ${fraction} of the page`);
      assert.ok(cut.firstPacketTime >= moment - 0.001, `the first packet (${cut.firstPacketTime} ms) is not before the moment (${moment} ms)`);
      assert.ok(cut.firstPacketTime - moment <= 61, `and at most one packet after it (${(cut.firstPacketTime - moment).toFixed(1)} ms)`);
      const cutPage = pageAt(cut.bytes, 0);
      assert.ok(cutPage, 'the cut page has a valid CRC');
      assert.equal(cutPage.granule, page.granule);
      assert.equal(cutPage.sequence, page.sequence);
      if (cut.bytes.length < page.length) cuts++;
      // Headers, the cut page, then the rest of the stream: decodes, with the samples of what was kept.
      const rest = data.subarray(next.offset);
      const stream = Buffer.concat([headers, cut.bytes, rest]);
      const samples = decodedSamples(stream, codec);
      const lastGranule = Number(audio.at(-1)!.granule);
      const expected = lastGranule - (cut.firstPacketTime * timing.rate) / 1000;
      // A decoder drops the first Vorbis block, or Opus's pre-skip; the last page may be trimmed.
      const slack = codec === 'opus' ? 312 + 960 : 2048;
      assert.ok(Math.abs(samples - expected) <= slack, `${samples} samples decoded, ${expected.toFixed(0)} in the packets kept`);
    }
    assert.ok(cuts >= 3, `${cuts} of 5 moments cut the page`);
  });
}
