import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodes, discover, freePort, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

test('muxer-ogg: two Vorbis feeds go into one Ogg stream as two logical streams, both decodable', async () => {
  const port = await freePort();
  // The tones differ in frequency, and in rate and channels so the report tells the streams apart.
  const file = writeFlow(`name: two-tones
components:
  tone-a:
    type: producer-test
    properties: { frequency: 440, samplerate: 44100, channels: 2 }
  tone-b:
    type: producer-test
    properties: { wave: triangle, frequency: 880, samplerate: 22050, channels: 1 }
  enc-a:
    type: encoder-vorbis
    eats: tone-a
  enc-b:
    type: encoder-vorbis
    eats: tone-b
  mux:
    type: muxer-ogg
    eats: [enc-a, enc-b]
    properties: { max-page-delay: 200 }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /two.ogg, port: ${port}, bind-address: 127.0.0.1 }
`);
  const flow = await startFlow(file);
  try {
    const url = `http://127.0.0.1:${port}/two.ogg`;
    assert.deepEqual(flow.urls, [url], flow.stdout());
    const { status, headers, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    const info = await discover(body);
    assert.equal(info.container, 'Ogg', info.report);
    const audioStreams = info.report.match(/audio #\d+: Vorbis/g) ?? [];
    assert.equal(audioStreams.length, 2, info.report);
    const formats = [...info.report.matchAll(/Channels: (\d+)[^\n]*\n\s*Sample rate: (\d+)/g)].map((m) => `${m[2]}/${m[1]}`).sort();
    assert.deepEqual(formats, ['22050/1', '44100/2'], info.report);

    // Decode both logical streams, each through its own decoder.
    const both = await decodes(body, 'oggdemux name=demux demux. ! queue ! vorbisdec ! audioconvert ! fakesink demux. ! queue ! vorbisdec');
    assert.ok(both.ok, both.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
