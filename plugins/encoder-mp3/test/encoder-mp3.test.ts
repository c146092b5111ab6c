import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, freePort, loadPluginUnderTest, probe, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

/** MPEG-2 (LSF) layer III bitrates in kbit/s by header index, and sample rates by index. */
const MPEG2_L3_KBITS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MPEG2_RATES = [22050, 24000, 16000];

/** Walk the MP3 frames from the start of `data`: each header must follow the one before. */
function mpeg2Frames(data: Buffer): { frames: number; bytes: number; kbits: Set<number>; rates: Set<number> } {
  let at = 0;
  const kbits = new Set<number>();
  const rates = new Set<number>();
  let frames = 0;
  while (at + 4 <= data.length) {
    const header = data.readUInt32BE(at);
    assert.equal(header >>> 21, 0x7ff, `an MP3 frame header at byte ${at}`);
    assert.equal((header >>> 19) & 3, 2, 'MPEG-2 (22050 Hz is a low sample rate)');
    assert.equal((header >>> 17) & 3, 1, 'layer III');
    const kbit = MPEG2_L3_KBITS[(header >>> 12) & 15]!;
    const rate = MPEG2_RATES[(header >>> 10) & 3]!;
    const padding = (header >>> 9) & 1;
    const length = Math.floor((72 * kbit * 1000) / rate) + padding;
    if (at + length > data.length) break;
    kbits.add(kbit);
    rates.add(rate);
    frames++;
    at += length;
  }
  return { frames, bytes: at, kbits, rates };
}

test('encoder-mp3: streamer-http serves MP3 as audio/mpeg, each listener starting on a frame, at a constant 64 kbit/s', async () => {
  const port = await freePort();
  const file = writeFlow(`name: mp3-test
components:
  tone:
    type: producer-test
    properties: { samplerate: 44100, channels: 2 }
  enc:
    type: encoder-mp3
    eats: tone
    properties: { bitrate: 64000, samplerate: 22050, channels: 1 }
  web:
    type: streamer-http
    eats: enc
    properties: { mount: /radio.mp3, port: ${port}, bind-address: 127.0.0.1 }
`);
  const flow = await startFlow(file);
  try {
    const url = `http://127.0.0.1:${port}/radio.mp3`;
    const first = await readStream(url, { seconds: 3 });
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'audio/mpeg');
    // Frame by frame from the first byte: a listener never starts inside a frame.
    const frames = mpeg2Frames(first.body);
    assert.deepEqual([...frames.kbits], [64]);
    assert.deepEqual([...frames.rates], [22050]);
    assert.ok(frames.frames > 50, `${frames.frames} frames`);
    // 576 samples a frame at 22050 Hz: what arrived is 64 kbit/s of audio time (padding aside).
    const seconds = (frames.frames * 576) / 22050;
    const bitsPerSecond = (frames.bytes * 8) / seconds;
    assert.ok(Math.abs(bitsPerSecond - 64000) < 1000, `${Math.round(bitsPerSecond)} bit/s`);
    // A second listener, joining later and mid-stream, also starts on a frame header.
    const second = await readStream(url, { seconds: 1 });
    assert.ok(mpeg2Frames(second.body).frames > 10);

    const info = await probe(first.body, '.mp3');
    assert.equal(info.streams[0]?.codec_name, 'mp3');
    assert.equal(info.streams[0]?.sample_rate, '22050');
    assert.equal(info.streams[0]?.channels, 1);
    const decoded = await decodes(first.body, 'mpegaudioparse ! mpg123audiodec');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('encoder-mp3: a bitrate MP3 cannot carry, and bitrate with quality, are refused', async () => {
  const plugin = await loadPluginUnderTest(path.join(__dirname, '..', '..'));
  const [odd] = plugin.validate('encoder-mp3', { bitrate: 100000 });
  assert.match(odd ?? '', /FC_PROPERTY_INVALID component "[^"]+" property "bitrate": must be one of/);
  const [both] = plugin.validate('encoder-mp3', { bitrate: 128000, quality: 2 });
  assert.match(both ?? '', /set only one of "bitrate" or "quality"/);
  assert.deepEqual(plugin.validate('encoder-mp3', { quality: 2 }), []);
});
