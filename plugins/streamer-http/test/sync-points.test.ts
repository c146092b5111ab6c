/**
 * Sync points on real Ogg bytes: streams encoded by GStreamer (Vorbis; Theora with a known
 * keyframe interval), some paged again so that packets span pages, and GStreamer's own decoders
 * to show the bytes are real.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BufferFlag, syncDetectorFor } from '@flowcast/core';
import { decodes } from '@flowcast/core/testing';
import { capture, gstDecodes, oggPackets, pageBuffers, repage } from './ogg-build';

const CONTINUED = 0x01;
const FRAMES = 60;
const KEYFRAME_EVERY = 10;

let vorbis: Buffer;
let theora: Buffer;
let theoraVorbis: Buffer;
let bigTheora: Buffer;

before(async () => {
  [vorbis, theora, theoraVorbis, bigTheora] = await Promise.all([
    capture('audiotestsrc num-buffers=100 wave=white-noise ! vorbisenc quality=0.8 ! oggmux'),
    capture(`videotestsrc num-buffers=${FRAMES} pattern=snow ! video/x-raw,width=160,height=120,framerate=30/1 ! theoraenc keyframe-force=${KEYFRAME_EVERY} ! oggmux`),
    capture(
      `videotestsrc num-buffers=${FRAMES} pattern=snow ! video/x-raw,width=160,height=120,framerate=30/1 ! theoraenc keyframe-force=${KEYFRAME_EVERY} ! mux. ` +
        'audiotestsrc num-buffers=60 ! vorbisenc ! mux. oggmux name=mux',
    ),
    // Keyframes of 640×480 noise are bigger than a page can hold: they span pages.
    capture(`videotestsrc num-buffers=${FRAMES} pattern=snow ! video/x-raw,width=640,height=480,framerate=30/1 ! theoraenc keyframe-force=${KEYFRAME_EVERY} ! oggmux`),
  ]);
});

/** The leading pages that carry header packets (Vorbis 0x01/0x03/0x05, Theora 0x80–0x82), as a muxer's streamheader. */
function headerPages(pages: Buffer[]): Buffer[] {
  const headers = new Set<number>();
  for (const packet of oggPackets(Buffer.concat(pages))) {
    const isHeader = packet.data.length > 0 && (packet.data[0]! & 0x80 ? packet.data[0]! <= 0x82 : packet.data[0]! % 2 === 1 && packet.data.toString('latin1', 1, 7) === 'vorbis');
    if (isHeader) headers.add(packet.page);
  }
  const count = Math.max(...headers) + 1;
  assert.equal(headers.size, count, 'the header packets are on the leading pages');
  return pages.slice(0, count);
}

/** Pages (by index) on which a Theora keyframe packet starts as the first packet starting there. */
function pagesStartingKeyframes(data: Buffer, theoraSerial: number): Set<number> {
  const firstStarting = new Map<number, Buffer>();
  for (const packet of oggPackets(data)) {
    if (packet.serial !== theoraSerial) continue;
    if (!firstStarting.has(packet.page) && pageBuffers(data)[packet.page]!.readUInt32LE(14) === theoraSerial) firstStarting.set(packet.page, packet.data);
  }
  const result = new Set<number>();
  for (const [page, packet] of firstStarting) if ((packet[0]! & 0xc0) === 0) result.add(page);
  return result;
}

function theoraKeyframes(data: Buffer): number {
  return oggPackets(data).filter((p) => p.data.length > 0 && (p.data[0]! & 0xc0) === 0).length;
}

function theoraSerial(data: Buffer): number {
  const bos = pageBuffers(data).find((page) => page.toString('latin1', 28 + page[26]! - 1, 28 + page[26]! + 6).endsWith('theora'));
  assert.ok(bos, 'a Theora beginning-of-stream page');
  return bos.readUInt32LE(14);
}

test('audio only (Vorbis as oggmux pages it): every page is a sync point, none is continued', () => {
  const pages = pageBuffers(vorbis);
  const headers = headerPages(pages);
  assert.equal(headers.length, 2, 'identification page, then comment and setup headers');
  const isSync = syncDetectorFor('application/ogg', headers);
  const audio = pages.slice(headers.length);
  assert.ok(audio.length >= 5, `${audio.length} audio pages`);
  for (const [i, page] of audio.entries()) {
    assert.equal(page[5]! & CONTINUED, 0, `oggmux continued a packet on page ${i}`);
    assert.equal(isSync(page, 0), true, `audio page ${i} is not a sync point`);
  }
});

test('audio only, packets spanning pages: a page is a sync point if and only if it is not continued', async () => {
  // The same Vorbis packets on pages of at most 700 bytes: many packets now span two pages.
  const packets = oggPackets(vorbis);
  const pages = repage(packets, 500, 3, (i) => i % 5 === 0);
  const decoded = await decodes(Buffer.concat(pages));
  assert.ok(decoded.ok, `the re-paged stream does not decode: ${decoded.output}`);

  const headers = headerPages(pages);
  const isSync = syncDetectorFor('application/ogg', headers);
  const audio = pages.slice(headers.length);
  const continued = audio.filter((page) => page[5]! & CONTINUED).length;
  assert.ok(continued >= 10 && continued <= audio.length - 10, `${continued} of ${audio.length} pages continued: the test needs both kinds`);
  for (const [i, page] of audio.entries()) {
    assert.equal(isSync(page, 0), (page[5]! & CONTINUED) === 0, `audio page ${i} (flags ${page[5]})`);
  }
  // Not an Ogg page at all: never a sync point.
  assert.equal(isSync(Buffer.from('not an ogg page, but long enough to be one'), 0), false);
});

test('Theora: only the pages starting a keyframe are sync points, one per keyframe', () => {
  const pages = pageBuffers(theora);
  const headers = headerPages(pages);
  const isSync = syncDetectorFor('application/ogg', headers);
  const syncPages = pages.slice(headers.length).filter((page) => isSync(page, 0));
  const expected = Math.ceil(FRAMES / KEYFRAME_EVERY);
  assert.equal(theoraKeyframes(theora), expected, `the encoder made ${theoraKeyframes(theora)} keyframes`);
  assert.equal(syncPages.length, expected, `${syncPages.length} sync pages for ${expected} keyframes`);
  const keyframePages = pagesStartingKeyframes(theora, theoraSerial(theora));
  pages.forEach((page, i) => {
    if (i >= headers.length) assert.equal(isSync(page, 0), keyframePages.has(i), `page ${i}`);
  });
  // The header pages themselves are not where a listener starts.
  for (const header of headers) assert.equal(isSync(header, 0), false);
});

test('Theora with Vorbis: audio pages are not sync points, keyframe pages are', () => {
  const pages = pageBuffers(theoraVorbis);
  const headers = headerPages(pages);
  assert.ok(headers.length >= 4, `${headers.length} header pages for two streams`);
  const isSync = syncDetectorFor('application/ogg', headers);
  const video = theoraSerial(theoraVorbis);
  const data = pages.slice(headers.length);
  const audioPages = data.filter((page) => page.readUInt32LE(14) !== video);
  assert.ok(audioPages.length >= 2, `${audioPages.length} audio pages`);
  for (const page of audioPages) assert.equal(isSync(page, 0), false, 'a Vorbis page of a stream with video');
  const syncPages = data.filter((page) => isSync(page, 0));
  assert.equal(syncPages.length, Math.ceil(FRAMES / KEYFRAME_EVERY));
  for (const page of syncPages) assert.equal(page.readUInt32LE(14), video);
});

test('Theora keyframes spanning pages: the continued pages after a keyframe are not sync points', () => {
  const pages = pageBuffers(bigTheora);
  const headers = headerPages(pages);
  const isSync = syncDetectorFor('application/ogg', headers);
  const data = pages.slice(headers.length);
  assert.ok(data.filter((page) => page[5]! & CONTINUED).length >= Math.ceil(FRAMES / KEYFRAME_EVERY), 'keyframes span pages');
  const syncPages = data.filter((page) => isSync(page, 0));
  assert.equal(syncPages.length, Math.ceil(FRAMES / KEYFRAME_EVERY));
  for (const page of syncPages) assert.equal(page[5]! & CONTINUED, 0, 'a sync page starts its keyframe');
});

test('Theora paged again so packets span pages: a continued page is a sync point exactly when the first packet starting on it is a keyframe', async () => {
  const packets = oggPackets(theora);
  const pages = repage(packets, 3000, 3);
  const data = Buffer.concat(pages);
  const decoded = await gstDecodes(data, 'oggdemux ! theoradec');
  assert.ok(decoded.ok, `the re-paged stream does not decode: ${decoded.output}`);
  const headers = headerPages(pages);
  const isSync = syncDetectorFor('application/ogg', headers);
  const expected = pagesStartingKeyframes(data, theoraSerial(data));
  const continuedKeyframePages = [...expected].filter((i) => pages[i]![5]! & CONTINUED);
  assert.ok(continuedKeyframePages.length >= 1, 'a keyframe starts on a continued page (after the tail of the frame before)');
  pages.forEach((page, i) => {
    if (i >= headers.length) assert.equal(isSync(page, 0), expected.has(i), `page ${i} (flags ${page[5]})`);
  });
  assert.equal(expected.size, theoraKeyframes(data), 'each keyframe starts a page here');
});

test('formats other than Ogg: a sync point is a buffer GStreamer did not flag as a delta unit', () => {
  const isSync = syncDetectorFor('video/webm', []);
  assert.equal(isSync(Buffer.from([0x1f, 0x43, 0xb6, 0x75]), 0), true);
  assert.equal(isSync(Buffer.from([0xa3, 0x84, 0x81, 0x00]), BufferFlag.deltaUnit), false);
  assert.equal(isSync(Buffer.from([0xff, 0xfb, 0x90, 0x00]), BufferFlag.header), true, 'the header flag alone does not make a delta unit');
});
