/**
 * Listeners of a running flow: late joiners and many clients at once, each a real HTTP client
 * reading from a real `flowcast run`, and what they got checked by GStreamer's own tools.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodes, discover, freePort, readStream, startFlow, writeFlow } from '@flowcast/core/testing';
import { announcedUrls, assertContiguous, assertStartsWithVorbisHeaders, audioPages, mapLimit, ROOT, sleep, toneFlow } from './support';

const SAMPLE_RATE = 44100;

test('two listeners joining at different times both get a stream that decodes from its first byte', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const flow = await startFlow(writeFlow(toneFlow([{ name: 'web', port, mount: '/live.ogg' }])), { cwd: ROOT });
  try {
    const url = `http://127.0.0.1:${port}/live.ogg`;
    assert.deepEqual(await announcedUrls(flow, 1), [url]);
    const a = readStream(url, { seconds: 6 });
    await sleep(3000);
    const b = await readStream(url, { seconds: 3 });
    const aResult = await a;

    for (const [label, result] of [['A', aResult], ['B', b]] as const) {
      assert.equal(result.status, 200, `${label} status`);
      assert.equal(result.headers['content-type'], 'application/ogg', `${label} content type`);
      assert.equal(result.body.toString('latin1', 0, 4), 'OggS', `${label} starts with an Ogg page`);
      const pages = assertStartsWithVorbisHeaders(result.body, label);
      // No page lost or sent twice between the headers and the end of what was read.
      assertContiguous(audioPages(pages), label);
      assert.ok(audioPages(pages).length >= 4, `${label} got ${audioPages(pages).length} audio pages`);
      const info = await discover(result.body);
      assert.match(info.audioCodec ?? '', /Vorbis/, `${label}: ${info.report}`);
      assert.equal(info.sampleRate, SAMPLE_RATE, `${label}: ${info.report}`);
      const decoded = await decodes(result.body);
      assert.ok(decoded.ok, `${label} does not decode: ${decoded.output}`);
    }

    // B joined live: its first audio page is from about 3 s into the stream, not a replay of the
    // start, and the header pages it got first are the stream's own (same logical stream as A's).
    const aPages = audioPages(assertStartsWithVorbisHeaders(aResult.body, 'A'));
    const bAll = assertStartsWithVorbisHeaders(b.body, 'B');
    const bPages = audioPages(bAll);
    assert.equal(bAll[0]!.serial, assertStartsWithVorbisHeaders(aResult.body, 'A')[0]!.serial);
    const aFirstSeconds = Number(aPages[0]!.granule) / SAMPLE_RATE;
    const bFirstSeconds = Number(bPages[0]!.granule) / SAMPLE_RATE;
    assert.ok(bFirstSeconds - aFirstSeconds > 2, `B's first audio is at ${bFirstSeconds.toFixed(2)} s, A's at ${aFirstSeconds.toFixed(2)} s`);
    // B's audio is the same bytes A received for those pages.
    const aBySequence = new Map(aPages.map((p) => [p.sequence, p.body]));
    const shared = bPages.filter((p) => aBySequence.has(p.sequence));
    assert.ok(shared.length >= 3, `A and B share ${shared.length} pages`);
    for (const page of shared) assert.ok(aBySequence.get(page.sequence)!.equals(page.body), `page ${page.sequence} differs between A and B`);
    // The header pages were sent once, at the start: no header page again among the live data.
    assert.equal(bAll.filter((p) => p.granule === 0n && p.body.subarray(1, 7).toString('latin1') === 'vorbis').length, 2);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('50 concurrent listeners each receive a decodable stream', { timeout: 40_000 }, async () => {
  const CLIENTS = 50;
  const port = await freePort();
  const flow = await startFlow(writeFlow(toneFlow([{ name: 'web', port, mount: '/live.ogg' }])), { cwd: ROOT });
  try {
    const url = `http://127.0.0.1:${port}/live.ogg`;
    const results = await Promise.all(Array.from({ length: CLIENTS }, () => readStream(url, { seconds: 3 })));

    const serials = new Set<number>();
    results.forEach((result, i) => {
      const label = `client ${i}`;
      assert.equal(result.status, 200, label);
      assert.equal(result.headers['content-type'], 'application/ogg', label);
      assert.equal(result.body.toString('latin1', 0, 4), 'OggS', label);
      const pages = assertStartsWithVorbisHeaders(result.body, label);
      const audio = audioPages(pages);
      assertContiguous(audio, label);
      // About 3 s of audio; muxer-ogg sends a page at least every 500 ms.
      assert.ok(audio.length >= 4, `${label} got only ${audio.length} audio pages (${result.body.length} bytes)`);
      const seconds = Number(audio[audio.length - 1]!.granule - audio[0]!.granule) / SAMPLE_RATE;
      assert.ok(seconds > 1.5, `${label} got ${seconds.toFixed(2)} s of audio`);
      serials.add(pages[0]!.serial);
    });
    assert.equal(serials.size, 1, 'every listener gets the same stream');

    // GStreamer's own verdict on every body: discoverer sees Vorbis; a sample of them fully decodes.
    const infos = await mapLimit(results, 4, (r) => discover(r.body));
    infos.forEach((info, i) => assert.match(info.audioCodec ?? '', /Vorbis/, `client ${i}: ${info.report}`));
    const sample = [0, 13, 26, 39, 49].map((i) => results[i]!);
    const decoded = await mapLimit(sample, 4, (r) => decodes(r.body));
    decoded.forEach((d, i) => assert.ok(d.ok, `sampled client ${i} does not decode: ${d.output}`));
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
