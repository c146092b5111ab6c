/**
 * A live WebM stream (vp8enc ! webmmux streamable=true, as a camera flow makes it) through the
 * real sink and hub: a listener that joins mid-stream starts on a cluster that begins with a
 * keyframe, and one that was waiting before the stream began gets the stream headers once. Both
 * decode with GStreamer's own matroskademux and vp8dec.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BATCH_SINK, BatchSinkChannel, Connection } from '@flowcast/core';
import { loadNative } from '../src/native';
import type { ListenerPolicy } from '../src/policy';
import { StreamHub } from '../src/stream-hub';
import { HUB_TEST_POLICY, sleep } from './support';

interface Pipeline {
  findChild(name: string): Record<string, unknown>;
  play(): void;
  stop(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst = require('gstreamer-superficial') as { Pipeline: new (description: string) => Pipeline };
const native = loadNative();

const EBML_HEADER = 0x1a45dfa3;
const CLUSTER = 0x1f43b675;
/** What a cluster may hold before its first block: Timecode, PrevSize, Position. */
const CLUSTER_PREAMBLE = new Set([0xe7, 0xab, 0xa7]);
const SIMPLE_BLOCK = 0xa3;
const KEYFRAME = 0x80;

const POLICY: ListenerPolicy = { ...HUB_TEST_POLICY, burst: { mode: 'latest-sync' }, writeIntervalMs: 0 };

/** An EBML element ID (its length marker kept, as IDs are written) or size (marker removed) at `at`. */
function vint(data: Buffer, at: number, keepMarker: boolean): { value: number; length: number } {
  const first = data[at]!;
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length++;
  let value = keepMarker ? first : first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + data[at + i]!;
  return { value, length };
}

/** The keyframe flag of the first SimpleBlock of the cluster that starts at `at`. */
function clusterStartsWithKeyframe(data: Buffer, at: number): boolean {
  const id = vint(data, at, true);
  assert.equal(id.value.toString(16), CLUSTER.toString(16), `a Cluster at byte ${at}`);
  let position = at + id.length + vint(data, at + id.length, false).length;
  for (;;) {
    const child = vint(data, position, true);
    const size = vint(data, position + child.length, false);
    const payload = position + child.length + size.length;
    if (child.value === SIMPLE_BLOCK) {
      const track = vint(data, payload, false);
      return (data[payload + track.length + 2]! & KEYFRAME) !== 0; // after the track and a 16-bit timecode
    }
    assert.ok(CLUSTER_PREAMBLE.has(child.value), `a block or the cluster's timecode, prevsize or position, not element 0x${child.value.toString(16)}`);
    position = payload + size.value;
  }
}

function occurrences(data: Buffer, id: number): number {
  const pattern = Buffer.alloc(4);
  pattern.writeUInt32BE(id);
  let count = 0;
  for (let at = data.indexOf(pattern); at >= 0; at = data.indexOf(pattern, at + 1)) count++;
  return count;
}

/** GStreamer's demuxer and decoder over the bytes; the number of frames vp8dec decoded. */
function decodedFrames(webm: Buffer): number {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-webm-')), 'listener.webm');
  fs.writeFileSync(file, webm);
  try {
    const run = spawnSync('gst-launch-1.0', ['-v', 'filesrc', `location=${file}`, '!', 'matroskademux', '!', 'vp8dec', '!', 'fakesink', 'silent=false'], { encoding: 'utf8', timeout: 30_000 });
    assert.ok(!/ERROR/.test(run.stdout + run.stderr), `GStreamer could not decode what the listener got:\n${run.stdout.slice(-1500)}\n${run.stderr}`);
    return (run.stdout.match(/chain\s+\*+\s+\(fakesink0:sink\)/g) ?? []).length;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** A listener: the response body it read before `close()`. */
async function listen(port: number): Promise<{ body: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write('GET /live.webm HTTP/1.0\r\n\r\n');
  return {
    body: () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      return split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
    },
    close: () => socket.destroy(),
  };
}

test('WebM video: a listener joining mid-stream starts on a cluster that begins with a keyframe, a waiting one gets the headers once, and both decode', { timeout: 60_000 }, async () => {
  const hub = new StreamHub(POLICY, () => performance.now(), { dropped: () => undefined, closed: () => undefined }, native);
  const server = http.createServer((request) => hub.add(Connection.of(request.socket), { remoteAddress: '127.0.0.1', remotePort: 0, requestLine: 'GET /live.webm HTTP/1.0' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let streamHeader = Buffer.alloc(0);
  // As streamer-http does: the caps give the format, each buffer goes to the hub with its flags.
  const channel = new BatchSinkChannel(() => undefined);
  const take = (): void => {
    const batch = channel.take();
    if (!batch) return;
    if (batch.caps) {
      streamHeader = Buffer.concat(batch.caps.streamheader);
      hub.setFormat(batch.caps.name, batch.caps.streamheader);
    }
    const now = performance.now();
    batch.buffers.forEach((buffer, i) => hub.publish(buffer, now - batch.ages[i]!, batch.flags[i]));
  };
  const taker = setInterval(take, 20);
  const early = await listen(port); // before the stream exists: admitted when its format is known
  // A keyframe every 15 frames (0.5 s); webmmux starts a cluster on each.
  const pipeline = new gst.Pipeline(
    `videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=15 ! webmmux streamable=true ! ${BATCH_SINK} name=sink`,
  );
  pipeline.findChild('sink').channel = channel.id;
  pipeline.play();
  try {
    await sleep(2300);
    const late = await listen(port);
    await sleep(1500);
    late.close();
    early.close();
    assert.ok(streamHeader.length > 0, 'webmmux gave stream headers in its caps');
    assert.equal(streamHeader.readUInt32BE(0), EBML_HEADER);

    for (const [label, listener] of [['joined mid-stream', late], ['waiting before the stream', early]] as const) {
      const body = listener.body();
      assert.ok(body.length > streamHeader.length + 1000, `${label}: got ${body.length} bytes`);
      assert.ok(body.subarray(0, streamHeader.length).equals(streamHeader), `${label}: starts with the stream headers`);
      assert.equal(occurrences(body, EBML_HEADER), 1, `${label}: the stream headers once, not again as data`);
      assert.ok(clusterStartsWithKeyframe(body, streamHeader.length), `${label}: the first cluster starts with a keyframe`);
      const frames = decodedFrames(body);
      assert.ok(frames >= 20, `${label}: vp8dec decoded ${frames} frames`);
    }
    // The mid-stream listener started on a later cluster than the first: on a sync point, not at the start.
    assert.ok(!late.body().equals(early.body().subarray(0, late.body().length)), 'the late listener got the stream from its start, not from a recent cluster');
  } finally {
    clearInterval(taker);
    pipeline.stop();
    channel.close();
    hub.closeAll();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
