import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodes, discover, readStream, startFlow } from '@flowcast/core/testing';

test('the default flow streams decodable Ogg Vorbis at 44100 Hz stereo', async () => {
  const flow = await startFlow(undefined);
  try {
    assert.deepEqual(flow.urls, ['http://127.0.0.1:8800/live.ogg']);
    const { status, headers, body } = await readStream(flow.urls[0]!, { seconds: 5 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    const info = await discover(body);
    assert.match(info.audioCodec ?? '', /Vorbis/);
    assert.equal(info.sampleRate, 44100);
    assert.equal(info.channels, 2);
    assert.ok((await decodes(body)).ok);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
