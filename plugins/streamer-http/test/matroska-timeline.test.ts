/**
 * MatroskaTimeline on real webmmux output: GStreamer makes two live WebM streams that both start
 * at time 0 (as a rebuilt pipeline's does), and the timeline moves the second one's clusters on
 * after the first one's; everything else passes unchanged.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { clusterTimecode, MatroskaTimeline } from '../src/matroska-timeline';

const CLUSTER = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/** webmmux's output of SECONDS of Opus, cut where its cluster heads start (as it sends them: buffers of their own). */
function webmPieces(seconds: number): Buffer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-timeline-'));
  const file = path.join(dir, 'out.webm');
  execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', `num-buffers=${Math.round((seconds * 44100) / 1024)}`, '!', 'opusenc', '!', 'webmmux', 'streamable=true', 'min-cluster-duration=500000000', '!', 'filesink', `location=${file}`]);
  const data = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true, force: true });
  const pieces: Buffer[] = [];
  let from = 0;
  for (let at = data.indexOf(CLUSTER); at >= 0; at = data.indexOf(CLUSTER, at + 1)) {
    pieces.push(data.subarray(from, at));
    const head = clusterTimecode(data.subarray(at));
    assert.ok(head, `a cluster head at ${at}`);
    pieces.push(data.subarray(at, at + head.end));
    from = at + head.end;
  }
  pieces.push(data.subarray(from));
  return pieces.filter((p) => p.length > 0);
}

test('MatroskaTimeline: the first stream passes unchanged; after newStream(), clusters follow the last one by the real time between them, and keep their distances', () => {
  const first = webmPieces(3);
  const second = webmPieces(3);
  const timeline = new MatroskaTimeline();
  let clock = 1000;
  const sentFirst = first.map((piece) => timeline.rewrite(piece, (clock += 10)));
  assert.deepEqual(sentFirst, first, 'nothing changes while there was no restart');
  const lastBefore = Math.max(...first.map((p) => clusterTimecode(p)?.timecode ?? 0));
  assert.ok(lastBefore >= 2000, `clusters up to ${lastBefore} ms`);

  timeline.newStream();
  clock += 1500; // the pipeline was down for 1.5 s
  const arrivedAt = clock;
  const sentSecond = second.map((piece) => timeline.rewrite(piece, arrivedAt));
  const before = second.map((p) => clusterTimecode(p)?.timecode).filter((t) => t !== undefined);
  const after = sentSecond.map((p) => clusterTimecode(p)?.timecode).filter((t) => t !== undefined);
  assert.equal(before[0], 0, 'the new stream starts at 0, as a rebuilt pipeline does');
  const lastHead = first.map((p, i) => (clusterTimecode(p) ? i : -1)).reduce((a, b) => Math.max(a, b));
  const lastArrival = 1000 + (lastHead + 1) * 10;
  assert.equal(after[0], lastBefore + (arrivedAt - lastArrival), 'the first new cluster follows the last one by the time between their arrivals');
  assert.deepEqual(
    after.map((t) => t! - after[0]!),
    before.map((t) => t! - before[0]!),
    'the distances between clusters are kept',
  );
  // Only cluster heads change; every other piece is passed on as it was.
  second.forEach((piece, i) => {
    if (!clusterTimecode(piece)) assert.equal(sentSecond[i], piece);
  });
  // A second restart goes on from where the moved stream got to.
  timeline.newStream();
  const third = timeline.rewrite(second.find((p) => clusterTimecode(p))!, arrivedAt + 2000);
  assert.equal(clusterTimecode(third)!.timecode, after[after.length - 1]! + 2000);
});

test('MatroskaTimeline: a cluster of known size, or a buffer that is no cluster head, is left alone', () => {
  const known = Buffer.from([0x1f, 0x43, 0xb6, 0x75, 0x84, 0xe7, 0x81, 0x05, 0x00]);
  assert.equal(clusterTimecode(known), undefined);
  const timeline = new MatroskaTimeline();
  timeline.newStream();
  assert.equal(timeline.rewrite(known, 5), known);
  const block = Buffer.from([0xa3, 0x41, 0x7a, 0x81, 0x00, 0x00, 0x80]);
  assert.equal(timeline.rewrite(block, 6), block);
});
