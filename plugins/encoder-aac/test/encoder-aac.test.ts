import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, freePort, loadPluginUnderTest, probe, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

test('encoder-aac: 44100 Hz stereo becomes 32000 Hz mono AAC-LC in an MPEG transport stream, decodable by FFmpeg and GStreamer', async () => {
  const port = await freePort();
  const file = writeFlow(`name: aac-test
components:
  tone:
    type: producer-test
    properties: { samplerate: 44100, channels: 2 }
  enc:
    type: encoder-aac
    eats: tone
    properties: { bitrate: 64000, samplerate: 32000, channels: 1 }
  mux:
    type: muxer-mpegts
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /aac.ts, port: ${port}, bind-address: 127.0.0.1 }
`);
  const flow = await startFlow(file);
  try {
    const { status, headers, body } = await readStream(`http://127.0.0.1:${port}/aac.ts`, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'video/mp2t');
    const info = await probe(body, '.ts');
    assert.equal(info.format, 'mpegts');
    assert.equal(info.streams.length, 1, JSON.stringify(info.streams));
    const audio = info.streams[0]!;
    assert.deepEqual([audio.codec_name, audio.profile, audio.sample_rate, audio.channels], ['aac', 'LC', '32000', 1]);
    const decoded = await decodes(body, 'tsdemux ! aacparse ! faad');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('encoder-aac: a sample rate AAC has no table entry for, and three channels, are refused', async () => {
  const plugin = await loadPluginUnderTest(path.join(__dirname, '..', '..'));
  const [rate] = plugin.validate('encoder-aac', { samplerate: 44000 });
  assert.match(rate ?? '', /FC_PROPERTY_INVALID component "[^"]+" property "samplerate": must be one of/);
  const [channels] = plugin.validate('encoder-aac', { channels: 3 });
  assert.match(channels ?? '', /property "channels": must be <= 2/);
});
