/**
 * flowcastbatchsink (core/native/batch-sink.c) in real GStreamer pipelines: every buffer is queued in
 * order and taken whole, the caps come with their stream headers, JavaScript is woken per buffer
 * only when it asked, and a sink without an open channel fails with a message that says so.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH_SINK, BatchSinkChannel } from '../src/media/batch-sink';
import type { StreamBatch } from '../src/media/native';
import { sleep, waitFor } from './helpers/wait';

interface Pipeline {
  findChild(name: string): Record<string, unknown>;
  play(): void;
  stop(): void;
  pollBus(callback: (message: Record<string, unknown>) => void): void;
}

// The GStreamer binding core runs flows with (a dependency of @flowcast/core).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst = require('gstreamer-superficial') as { Pipeline: new (description: string) => Pipeline };

function start(description: string, channel: number): Pipeline {
  const pipeline = new gst.Pipeline(description);
  pipeline.findChild('sink').channel = channel;
  pipeline.play();
  return pipeline;
}

function takeAll(channel: BatchSinkChannel, into: StreamBatch[]): void {
  const batch = channel.take();
  if (batch) into.push(batch);
}

test('every buffer is queued in order, taken whole, with its age; the caps come once, with the stream headers', { timeout: 20_000 }, async () => {
  let wakes = 0;
  const channel = new BatchSinkChannel(() => wakes++);
  // 20 buffers of 100 bytes numbered by their first byte (fakesrc's pattern), then end of stream.
  const pipeline = start(`fakesrc num-buffers=20 sizetype=fixed sizemax=100 filltype=nothing ! capsfilter caps=application/x-test ! ${BATCH_SINK} name=sink`, channel.id);
  try {
    const batches: StreamBatch[] = [];
    assert.ok(await waitFor(() => (takeAll(channel, batches), batches.reduce((n, b) => n + b.buffers.length, 0) === 20), 5000), 'all 20 buffers taken');
    const buffers = batches.flatMap((b) => b.buffers);
    assert.ok(buffers.every((b) => b.length === 100), 'each buffer whole');
    const ages = batches.flatMap((b) => b.ages);
    assert.ok(ages.every((age) => age >= 0 && age < 5000), `ages ${ages.join(', ')}`);
    assert.equal(batches.filter((b) => b.caps).length, 1, 'the caps come once');
    assert.equal(batches.find((b) => b.caps)?.caps?.name, 'application/x-test');
    // The wake comes through the event loop: it may follow the polls that already took everything.
    assert.ok(await waitFor(() => wakes >= 1, 5000), 'woken for the caps');
    await sleep(200);
    assert.equal(channel.take(), null, 'nothing more to take');
  } finally {
    pipeline.stop();
    channel.close();
  }
});

test('Ogg stream headers arrive with the caps, as buffers', { timeout: 20_000 }, async () => {
  const channel = new BatchSinkChannel(() => undefined);
  const pipeline = start(`audiotestsrc num-buffers=200 ! audioconvert ! vorbisenc ! oggmux ! ${BATCH_SINK} name=sink`, channel.id);
  try {
    const batches: StreamBatch[] = [];
    assert.ok(await waitFor(() => (takeAll(channel, batches), batches.some((b) => b.caps)), 5000), 'caps taken');
    const caps = batches.find((b) => b.caps)!.caps!;
    assert.equal(caps.name, 'application/ogg');
    assert.ok(caps.streamheader.length >= 2, `${caps.streamheader.length} header buffers`);
    assert.ok(caps.streamheader.every((h) => h.toString('latin1', 0, 4) === 'OggS'), 'each header is an Ogg page');
    assert.ok(await waitFor(() => (takeAll(channel, batches), batches.reduce((n, b) => n + b.buffers.length, 0) >= 5), 5000), 'pages taken');
    // Each buffer's stream time: none on the header pages, rising from 0 on the audio pages.
    const pts = batches.flatMap((b) => b.pts);
    const flags = batches.flatMap((b) => b.flags);
    const audio = pts.filter((_, i) => (flags[i]! & 2) === 0);
    assert.ok(pts.filter((_, i) => (flags[i]! & 2) !== 0).every((t) => t === -1), `header pts ${pts.join(', ')}`);
    assert.equal(audio[0], 0, `audio pts ${audio.join(', ')}`);
    assert.ok(audio.every((t, i) => i === 0 || t > audio[i - 1]!), `audio pts rise: ${audio.join(', ')}`);
  } finally {
    pipeline.stop();
    channel.close();
  }
});

test("each buffer's latency: the pipeline clock's running time at the sink less the buffer's (a queue holding 300 ms of a live source shows it)", { timeout: 20_000 }, async () => {
  const channel = new BatchSinkChannel(() => undefined);
  const pipeline = start(
    `audiotestsrc is-live=true samplesperbuffer=441 ! audio/x-raw,rate=44100 ! queue min-threshold-time=300000000 max-size-time=2000000000 max-size-buffers=0 max-size-bytes=0 ! ${BATCH_SINK} name=sink`,
    channel.id,
  );
  try {
    const batches: StreamBatch[] = [];
    assert.ok(await waitFor(() => (takeAll(channel, batches), batches.reduce((n, b) => n + b.buffers.length, 0) >= 50), 5000), 'buffers taken');
    const latencies = batches.flatMap((b) => b.latencies);
    assert.equal(latencies.length, batches.reduce((n, b) => n + b.buffers.length, 0), 'one per buffer');
    // The queue lets a buffer go once it holds 300 ms of stream after it: so each is about that old
    // (less one 10 ms buffer, measured: 290 ms), never near 0 as without the queue.
    assert.ok(latencies.every((ms) => ms >= 250 && ms < 600), `latencies ${latencies.slice(0, 20).join(', ')}`);
  } finally {
    pipeline.stop();
    channel.close();
  }
});

test('JavaScript is woken for every buffer only while it asks to be', { timeout: 20_000 }, async () => {
  let wakes = 0;
  const channel: BatchSinkChannel = new BatchSinkChannel(() => {
    wakes++;
    channel.take(); // as the streamer does: a wake-up is answered by taking the queue
  });
  // A live source: 10 buffers a second.
  const pipeline = start(`audiotestsrc is-live=true samplesperbuffer=4410 ! audio/x-raw,rate=44100 ! ${BATCH_SINK} name=sink`, channel.id);
  try {
    assert.ok(await waitFor(() => wakes >= 1, 5000), 'woken for the caps');
    await sleep(300);
    const quiet = wakes;
    await sleep(1000);
    assert.equal(wakes, quiet, 'no wake-up per buffer while not asked');
    assert.ok((channel.take()?.buffers.length ?? 0) >= 5, 'the buffers waited in the queue');
    channel.wakeOnEachBuffer(true);
    const before = wakes;
    await sleep(1000);
    assert.ok(wakes - before >= 5, `${wakes - before} wake-ups in a second of 10 buffers`);
  } finally {
    pipeline.stop();
    channel.close();
  }
  assert.equal(channel.take(), null, 'a closed channel gives nothing');
});

test('a sink whose channel is not open fails to start, saying so', { timeout: 20_000 }, async () => {
  const pipeline = new gst.Pipeline(`fakesrc num-buffers=5 ! ${BATCH_SINK} name=sink`);
  pipeline.findChild('sink').channel = 999_999;
  const errors: string[] = [];
  pipeline.pollBus((message) => {
    if (message.type === 'error') errors.push(String(message.message ?? message.text ?? JSON.stringify(message)));
  });
  pipeline.play();
  try {
    assert.ok(await waitFor(() => errors.length > 0, 5000), 'an error on the bus');
    assert.match(errors[0]!, /no channel 999999 is open/);
  } finally {
    pipeline.stop();
  }
});
