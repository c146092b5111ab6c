/**
 * Glass-to-ear latency: producer-test's wall-clock marker through a real flow, heard by
 * `flowcast latency` (a real GStreamer player, played out in real time) over HTTP.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');

test('flowcast latency hears the markers of a Vorbis stream and says how far behind live they are', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: latency-test
components:
  tone:
    type: producer-test
    properties: { marker: true }
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
    properties: { max-page-delay: 200 }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /live.ogg, port: ${port}, bind-address: 127.0.0.1, write-interval: 0 }
  plain:
    type: producer-test
  plain-enc:
    type: encoder-vorbis
    eats: plain
  plain-mux:
    type: muxer-ogg
    eats: plain-enc
  plain-web:
    type: streamer-http
    eats: plain-mux
    properties: { mount: /plain.ogg, port: ${port}, bind-address: 127.0.0.1 }
`),
    { cwd: REPO },
  );
  try {
    const result = await runCli(['latency', `http://127.0.0.1:${port}/live.ogg`, '--seconds', '6'], { cwd: REPO, timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    const summary = /(\d+) markers: median ([\d.]+) s, min ([\d.]+) s, max ([\d.]+) s behind live/.exec(result.stdout);
    assert.ok(summary, result.stdout);
    assert.ok(Number(summary[1]) >= 3, result.stdout);
    // A page waits up to 200 ms, the decoder and the playout add some: well under two seconds,
    // and never ahead of the wall clock.
    assert.ok(Number(summary[3]) > 0 && Number(summary[4]) < 2, result.stdout);
    console.log(`# ${summary[0]}`);

    // A stream without markers: said so, exit 1.
    const plain = await runCli(['latency', `http://127.0.0.1:${port}/plain.ogg`, '--seconds', '3'], { cwd: REPO, timeoutMs: 30_000 });
    assert.equal(plain.code, 1, plain.stdout);
    assert.match(plain.stderr, /no marker heard in 3 s\. Fix: the stream's source must be a producer-test with "marker: true"/);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
