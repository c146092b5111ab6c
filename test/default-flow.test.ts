import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, discover, isPortOpen, readStream, startFlow, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const URL = 'http://127.0.0.1:8800/live.ogg';

/** Run gst-play-1.0 on the stream for a few seconds with a clock-synced fakesink. */
function play(url: string, seconds: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('gst-play-1.0', ['--audiosink=fakesink sync=true', url]);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    setTimeout(() => child.kill('SIGINT'), seconds * 1000);
    child.on('close', () => resolve(output));
  });
}

test('flowcast run with no file streams the default flow: Ogg Vorbis, 44100 Hz, stereo', async () => {
  const flow = await startFlow(undefined, { cwd: REPO });
  try {
    assert.deepEqual(flow.urls, [URL]);
    const { status, headers, body } = await readStream(URL, { seconds: 5 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    assert.equal(headers['transfer-encoding'], undefined, 'a live stream is sent raw, not chunked');
    assert.equal(body.subarray(0, 4).toString('latin1'), 'OggS');
    const info = await discover(body);
    assert.equal(info.container, 'Ogg');
    assert.equal(info.audioCodec, 'Vorbis');
    assert.equal(info.sampleRate, 44100);
    assert.equal(info.channels, 2);
    const decoded = await decodes(body);
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop('SIGINT'), 0, 'Ctrl-C stops cleanly with exit 0');
  }
  assert.equal(await isPortOpen(8800), false, 'the port is closed after exit');
  for (const line of flow.stderr().trim().split('\n')) JSON.parse(line); // logs are JSON lines when not on a terminal
  assert.match(flow.stderr(), /"flow":"default","signal":"SIGINT","msg":"stopping"/);
});

test('gst-play-1.0 plays the default stream', async () => {
  const flow = await startFlow(undefined, { cwd: REPO });
  try {
    // gst-play buffers a few seconds of a live stream before it starts the clock.
    const output = await play(URL, 9);
    assert.match(output, /Now playing http:\/\/127\.0\.0\.1:8800\/live\.ogg/);
    assert.match(output, /0:00:0[1-9]\.\d/, 'the playback position advanced past one second');
    assert.doesNotMatch(output, /ERROR/);
  } finally {
    assert.equal(await flow.stop('SIGTERM'), 0);
  }
});

test('flowcast serve with no argument (what npm start runs) serves every flow in flows/, none refused, the default at /live.ogg', { timeout: 60_000 }, async () => {
  const flowFiles = fs.readdirSync(path.join(REPO, 'flows')).filter((f) => f.endsWith('.yaml'));
  const serve = startServe([], { cwd: REPO, env: { FLOWCAST_WATCH: '0' } });
  try {
    const serving = await serve.waitForLog((r) => r.msg === 'serving', 30_000);
    assert.deepEqual(serving.refused, [], `refused: ${JSON.stringify(serving.refused)}`);
    assert.equal((serving.flows as unknown[]).length, flowFiles.length, `every flow of flows/ (${flowFiles.join(', ')}) starts: ${JSON.stringify(serving.flows)}`);
    for (const flow of ['default', 'opus', 'radio-mp3', 'test-card']) {
      await serve.waitForLog((r) => r.msg === 'mood' && r.flow === flow && r.mood === 'happy', 30_000);
    }
    const { status, body } = await readStream(URL, { seconds: 3 });
    assert.equal(status, 200);
    const info = await discover(body);
    assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
  } finally {
    await serve.stop();
  }
});
