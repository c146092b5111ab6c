/**
 * Two streamer-http components eating one muxer feed, on one port at two mounts: the runtime
 * splits the feed and the HTTP front shares the port between the two mounts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodes, discover, freePort, readStream, startFlow, writeFlow } from '@flowcast/core/testing';
import { announcedUrls, assertContiguous, assertStartsWithVorbisHeaders, audioPages, rawExchange, ROOT, toneFlow } from './support';

test('two streamers on one port at /a.ogg and /b.ogg both serve decodable Vorbis', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const file = writeFlow(
    toneFlow([
      { name: 'web-a', port, mount: '/a.ogg' },
      { name: 'web-b', port, mount: '/b.ogg' },
    ]),
  );
  const flow = await startFlow(file, { cwd: ROOT });
  try {
    const a = `http://127.0.0.1:${port}/a.ogg`;
    const b = `http://127.0.0.1:${port}/b.ogg`;
    assert.deepEqual((await announcedUrls(flow, 2)).sort(), [a, b]);

    const [ra, rb] = await Promise.all([readStream(a, { seconds: 3 }), readStream(b, { seconds: 3 })]);
    for (const [label, result] of [['/a.ogg', ra], ['/b.ogg', rb]] as const) {
      assert.equal(result.status, 200, label);
      assert.equal(result.headers['content-type'], 'application/ogg', label);
      const pages = assertStartsWithVorbisHeaders(result.body, label);
      assertContiguous(audioPages(pages), label);
      assert.ok(audioPages(pages).length >= 4, `${label}: ${audioPages(pages).length} audio pages`);
      const info = await discover(result.body);
      assert.match(info.audioCodec ?? '', /Vorbis/, `${label}: ${info.report}`);
      const decoded = await decodes(result.body);
      assert.ok(decoded.ok, `${label} does not decode: ${decoded.output}`);
    }
    // One feed split in two: both mounts carry the same logical stream.
    assert.equal(assertStartsWithVorbisHeaders(ra.body, 'a')[0]!.serial, assertStartsWithVorbisHeaders(rb.body, 'b')[0]!.serial);
    // Other paths on the shared port are still 404.
    assert.equal((await rawExchange(port, `GET /c.ogg HTTP/1.1\r\nHost: x\r\n\r\n`, { waitMs: 2000 })).status, 404);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
