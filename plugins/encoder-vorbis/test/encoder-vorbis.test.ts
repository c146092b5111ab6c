import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, discover, freePort, readStream, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

/** producer-test → encoder-vorbis (with `encoderProperties`) → muxer-ogg → streamer-http. */
async function streamFlow(toneProperties: string, encoderProperties: string): Promise<{ url: string; file: string; port: number }> {
  const port = await freePort();
  const file = writeFlow(`name: vorbis-test
components:
  tone:
    type: producer-test
    properties: ${toneProperties}
  enc:
    type: encoder-vorbis
    eats: tone
    properties: ${encoderProperties}
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /vorbis.ogg, port: ${port}, bind-address: 127.0.0.1 }
`);
  return { url: `http://127.0.0.1:${port}/vorbis.ogg`, file, port };
}

test('encoder-vorbis: resamples 44100 Hz stereo to 32000 Hz and mixes it down to mono', async () => {
  const { url, file } = await streamFlow('{ samplerate: 44100, channels: 2 }', '{ samplerate: 32000, channels: 1 }');
  const flow = await startFlow(file);
  try {
    assert.deepEqual(flow.urls, [url], flow.stdout());
    const { status, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    const info = await discover(body);
    assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
    assert.equal(info.sampleRate, 32000, info.report);
    assert.equal(info.channels, 1, info.report);
    const decoded = await decodes(body);
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('encoder-vorbis: bitrate 64000 encodes with managed bitrate at about 64 kbit/s', async () => {
  // White noise, so the encoder has to spend the bits it is given (a sine would need far fewer).
  const { url, file } = await streamFlow('{ wave: white-noise, volume: 0.5 }', '{ bitrate: 64000 }');
  const flow = await startFlow(file);
  try {
    const seconds = 4;
    const { status, body } = await readStream(url, { seconds });
    assert.equal(status, 200);
    const info = await discover(body);
    assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
    assert.equal(info.sampleRate, 44100, info.report);
    assert.equal(info.channels, 2, info.report);
    // gst-discoverer prints the nominal bitrate of the Vorbis identification header as "Bitrate:".
    // In quality mode (the default, 0.3) it would be 112000 for 44100 Hz stereo.
    const nominal = /^\s*Bitrate: (\d+)$/m.exec(info.report)?.[1];
    assert.equal(Number(nominal), 64000, info.report);
    // What was actually received, headers included, is also near the target.
    const duration = /Duration: (\d+):(\d+):([\d.]+)/.exec(info.report);
    assert.ok(duration, info.report);
    const durationSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
    assert.ok(durationSeconds > 2, `stream too short: ${durationSeconds} s`);
    const bitsPerSecond = (body.length * 8) / durationSeconds;
    assert.ok(bitsPerSecond > 64000 * 0.6 && bitsPerSecond < 64000 * 1.4, `measured ${Math.round(bitsPerSecond)} bit/s over ${durationSeconds} s`);
    const decoded = await decodes(body);
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

test('encoder-vorbis: validate refuses quality and bitrate together, naming component, property and position', async () => {
  const file = writeFlow(`name: both
components:
  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
    properties:
      quality: 0.5
      bitrate: 64000
  mux:
    type: muxer-ogg
    eats: enc
`);
  const shown = path.relative(process.cwd(), file);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 2, result.stderr);
  const errors = result.stderr.split('\n').filter((line) => line.includes(': error '));
  assert.equal(errors.length, 1, result.stderr);
  assert.equal(
    errors[0]!.startsWith(`${shown}:10:7: error FC_PROPERTY_INVALID component "enc" property "bitrate": set only one of "quality" or "bitrate"`),
    true,
    errors[0],
  );

  // `run` starts nothing and exits 2 with the same error.
  const run = await runCli(['run', file], { timeoutMs: 20_000 });
  assert.equal(run.code, 2, run.stderr);
  assert.ok(run.stderr.includes(errors[0]!), run.stderr);
  assert.doesNotMatch(run.stdout, /is running/);
});

test('encoder-vorbis: quality out of range is refused with "must be <= 1"', async () => {
  const file = writeFlow(`name: loud
components:
  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
    properties: { quality: 3 }
  mux:
    type: muxer-ogg
    eats: enc
`);
  const shown = path.relative(process.cwd(), file);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 2, result.stderr);
  const errors = result.stderr.split('\n').filter((line) => line.includes(': error '));
  assert.equal(errors.length, 1, result.stderr);
  assert.match(errors[0]!, /must be <= 1 \(got 3\)/);
  assert.equal(errors[0]!.startsWith(`${shown}:8:28: error FC_PROPERTY_INVALID component "enc" property "quality": `), true, errors[0]);

  // The boundary itself is accepted.
  const edge = writeFlow(`name: edge
components:
  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
    properties: { quality: 1 }
  mux:
    type: muxer-ogg
    eats: enc
`);
  const accepted = await runCli(['validate', edge]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.doesNotMatch(accepted.stderr, /: error /);
});
