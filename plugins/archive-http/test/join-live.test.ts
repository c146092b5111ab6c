/**
 * Rewinding the radio: `/archive?start=-3` with no duration sends the last seconds from the
 * recording, follows it as it grows, and once caught up hands the connection to the live streamer
 * of the same stream (streamer-http at /live.ogg), which goes on from the next page. The listener
 * gets one continuous stream (no page missed or repeated at the handover) that decodes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodes, freePort, runCli, startFlow, writeFlow } from '@flowcast/core/testing';
import { assertContinuous, pagesIn, request, ROOT, sleep, tempDir } from './support';

function flowText(directory: string, port: number, live: string): string {
  return `name: rewind
components:
  tone: { type: producer-test }
  enc: { type: encoder-vorbis, eats: tone }
  mux: { type: muxer-ogg, eats: enc }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /live.ogg, port: ${port}, bind-address: 127.0.0.1 }
  rec:
    type: recorder-disk
    eats: mux
    properties: { directory: ${JSON.stringify(directory)}, rotate-time: 2 }
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, port: ${port}, bind-address: 127.0.0.1, live: ${live} }
`;
}

test('join live: rewind 3 s, follow the recording, then the live streamer takes the connection over; one continuous stream', { timeout: 60_000 }, async () => {
  const directory = tempDir();
  const port = await freePort();
  const flow = await startFlow(writeFlow(flowText(directory, port, '/live.ogg')), { cwd: ROOT, env: { FLOWCAST_STATS_INTERVAL: '1' } });
  try {
    await sleep(4500);
    const answer = await request(port, '/archive?start=-3', { forMs: 6000 });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['transfer-encoding'], undefined, 'the body is the stream itself');
    const whole = pagesIn(answer.body).reduce((n, p) => n + p.length, 0);
    const { data } = assertContinuous(answer.body.subarray(0, whole), assert);
    const stamps = data.filter((p) => p.granule > 0n).map((p) => Number(p.granule) / 44100);
    assert.ok(stamps.at(-1)! - stamps[0]! > 7.5, `covers ${(stamps.at(-1)! - stamps[0]!).toFixed(2)} s: 3 s rewound and 6 s listened`);
    const decoded = await decodes(answer.body.subarray(0, whole));
    assert.ok(decoded.ok, decoded.output);
    await sleep(1500);
    const stats = flow
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"msg":"stats"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      stats.some((s) => s.component === 'archive' && Number(s.handedOver) === 1),
      'the archive handed the listener over',
    );
    assert.ok(
      stats.some((s) => s.component === 'web' && Number(s.connects) === 1),
      'the live streamer took it as a listener',
    );
  } finally {
    assert.equal(await flow.stop(), 0, flow.stderr());
  }
});

test('archive-http naming a live mount the flow does not have fails preflight', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const result = await runCli(['run', writeFlow(flowText(tempDir(), port, '/other.ogg'))], { cwd: ROOT });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, new RegExp(`no live stream at /other.ogg on port ${port} in this flow`));
});
