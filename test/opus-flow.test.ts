import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, discover, freePort, readStream, startFlow, writeFlow } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');

test('flows/opus.yaml streams Opus in Ogg at 48 kHz that GStreamer decodes', async () => {
  // The example flow as shipped, on a free port so it cannot clash with anything running.
  const port = await freePort();
  const example = fs.readFileSync(path.join(REPO, 'flows', 'opus.yaml'), 'utf8');
  assert.match(example, /port: 8801/);
  const file = writeFlow(example.replace('port: 8801', `port: ${port}, bind-address: 127.0.0.1`));
  const flow = await startFlow(file, { cwd: REPO });
  try {
    const url = `http://127.0.0.1:${port}/live.opus`;
    assert.deepEqual(flow.urls, [url]);
    const { status, headers, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    // The first page of the stream carries the Opus identification header.
    assert.equal(body.subarray(0, 4).toString('latin1'), 'OggS');
    assert.equal(body.subarray(28, 36).toString('latin1'), 'OpusHead');
    const info = await discover(body);
    assert.equal(info.container, 'Ogg', info.report);
    assert.equal(info.audioCodec, 'Opus', info.report);
    assert.equal(info.sampleRate, 48000, info.report);
    assert.equal(info.channels, 2, info.report);
    const decoded = await decodes(body, 'oggdemux ! opusdec');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
