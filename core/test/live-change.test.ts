/**
 * Live property changes: checked against the schema and `x-live`, then applied to the running
 * pipeline. The tone's frequency is changed while a listener reads the stream, and the decoded
 * audio is measured before and after.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadRegistry } from '../src/cli/project';
import { isFlowcastError } from '../src/errors/flowcast-error';
import { validateFlowFile } from '../src/flow/validate';
import { HttpFront } from '../src/http/http-front';
import { createLogger } from '../src/log/logger';
import { FlowRuntime } from '../src/runtime/flow-runtime';
import { ProcessLimits } from '../src/runtime/system-limits';
import { freePort, readStream, writeFlow } from '../src/testing';

const REPO = path.join(__dirname, '..', '..', '..');
let runtime: FlowRuntime;
let http: HttpFront;
let url: string;
const logLines: string[] = [];

before(async () => {
  const port = await freePort();
  const file = writeFlow(`name: live-change
components:
  tone: { type: producer-test, properties: { wave: sine, frequency: 440, channels: 1 } }
  level: { type: converter-volume, eats: tone }
  encoder: { type: encoder-vorbis, eats: level, properties: { quality: 0.5 } }
  muxer: { type: muxer-ogg, eats: encoder }
  web: { type: streamer-http, eats: muxer, properties: { mount: /live.ogg, port: ${port}, bind-address: 127.0.0.1 } }
`);
  const validation = validateFlowFile(file, loadRegistry(REPO, process.env));
  assert.ok(validation.flow, JSON.stringify(validation.diagnostics));
  const logger = createLogger({ format: 'json', level: 'info', sink: { write: (line) => logLines.push(line) } });
  http = new HttpFront({ logger });
  runtime = new FlowRuntime(validation.flow, loadRegistry(REPO, process.env), {
    logger,
    http,
    paths: { project: REPO, flowDirectory: path.dirname(file), logs: path.join(path.dirname(file), 'logs') },
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
    announcer: { announce: () => {} },
    system: new ProcessLimits(),
  });
  await runtime.start();
  url = `http://127.0.0.1:${port}/live.ogg`;
});

after(async () => {
  await runtime.stop();
  await http.closeAll();
});

/** The decoded audio as mono 16-bit samples, its first second (the burst of what came before) skipped. */
function decodedSamples(ogg: Buffer): Int16Array {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'live-change-'));
  try {
    fs.writeFileSync(path.join(directory, 'in.ogg'), ogg);
    const raw = path.join(directory, 'out.raw');
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${path.join(directory, 'in.ogg')}`, '!', 'oggdemux', '!', 'vorbisdec', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE,channels=1', '!', 'filesink', `location=${raw}`]);
    return new Int16Array(new Uint8Array(fs.readFileSync(raw)).buffer).subarray(44100);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The tone's frequency in Hz, from the zero crossings of the decoded audio. */
function measuredFrequency(ogg: Buffer): number {
  const samples = decodedSamples(ogg);
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return crossings / (samples.length / 44100);
}

/** The loudest sample, as a fraction of full scale. */
function peak(ogg: Buffer): number {
  return decodedSamples(ogg).reduce((max, sample) => Math.max(max, Math.abs(sample)), 0) / 32768;
}

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isFlowcastError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('a live property change is heard: the tone goes from 440 Hz to 880 Hz without a restart', { timeout: 30_000 }, async () => {
  const beforeChange = measuredFrequency((await readStream(url, { seconds: 3 })).body);
  assert.ok(Math.abs(beforeChange - 440) < 15, `${beforeChange.toFixed(1)} Hz before`);
  const change = await runtime.update('tone', { frequency: 880, volume: 0.8 });
  assert.deepEqual(change.changes, { frequency: 880 }, 'a value equal to the current one is not a change');
  assert.deepEqual(change.previous, { frequency: 440 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const afterChange = measuredFrequency((await readStream(url, { seconds: 3 })).body);
  assert.ok(Math.abs(afterChange - 880) < 15, `${afterChange.toFixed(1)} Hz after`);
  assert.ok(logLines.some((l) => l.includes('"properties changed"') && l.includes('"frequency":880')), 'the change is logged');
});

test('converter-volume mutes and unmutes live', { timeout: 30_000 }, async () => {
  assert.ok(peak((await readStream(url, { seconds: 2.5 })).body) > 0.3, 'the tone is heard');
  await runtime.update('level', { mute: true });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(peak((await readStream(url, { seconds: 3 })).body) < 0.01, 'silence once muted');
  await runtime.update('level', { mute: false, gain: -6 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const level = peak((await readStream(url, { seconds: 3 })).body);
  assert.ok(level > 0.25 && level < 0.55, `at -6 dB the 0.8 tone peaks near 0.4: ${level.toFixed(3)}`);
});

test('a listener limit changes live: client-limit 1 refuses a second listener with 503, and back', { timeout: 20_000 }, async () => {
  const first = readStream(url, { seconds: 3 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await runtime.update('web', { 'client-limit': 1 });
  const second = await readStream(url, { seconds: 1 });
  assert.equal(second.status, 503, 'the second listener is refused');
  assert.match(second.body.toString(), /client limit 1/);
  assert.equal((await first).status, 200, 'the first listener kept its stream');
  await runtime.update('web', { 'client-limit': 10000 });
  assert.equal((await readStream(url, { seconds: 1 })).status, 200);
  await expectError(runtime.update('web', { port: 9999 }), 'FC_PROPERTY_NOT_LIVE', /"port" of component "web" \(streamer-http\) needs a restart.*client-limit/);
});

test('what cannot change live is refused before anything is applied, each with its own code', { timeout: 10_000 }, async () => {
  await expectError(runtime.update('tone', { samplerate: 48000 }), 'FC_PROPERTY_NOT_LIVE', /"samplerate" of component "tone" \(producer-test\) needs a restart.*it changes live: frequency, volume/);
  await expectError(runtime.update('tone', { pitch: 3 }), 'FC_PROPERTY_INVALID', /no property "pitch" \(it takes: wave, frequency, volume/);
  await expectError(runtime.update('tone', { frequency: 50_000 }), 'FC_PROPERTY_INVALID', /"frequency" of component "tone": must be <= 20000 \(got 50000\)/);
  await expectError(runtime.update('mic', { frequency: 300 }), 'FC_UNKNOWN_COMPONENT', /no component "mic" \(it has: tone, level, encoder, muxer, web\)/);
  await expectError(runtime.update('encoder', { quality: 0.9 }), 'FC_PROPERTY_NOT_LIVE', /"quality" of component "encoder" \(encoder-vorbis\) needs a restart/);
  const afterRefusals = measuredFrequency((await readStream(url, { seconds: 3 })).body);
  assert.ok(Math.abs(afterRefusals - 880) < 15, `still ${afterRefusals.toFixed(1)} Hz`);
});

test('the level meters sleep and wake: with meterLevels(false) no new levels are reported, with true they are again', async () => {
  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  await pause(400);
  const awake = runtime.levels();
  assert.ok(awake.tone && awake.level, `both meters report: ${JSON.stringify(awake)}`);
  runtime.meterLevels(false);
  await pause(300); // a report already on its way may still arrive
  const asleep = runtime.levels();
  await pause(600);
  const later = runtime.levels();
  // Each report is a new object: the same objects mean nothing was reported in 600 ms (6 reports' time).
  assert.equal(later.tone, asleep.tone);
  assert.equal(later.level, asleep.level);
  runtime.meterLevels(true);
  await pause(400);
  const woken = runtime.levels();
  assert.notEqual(woken.tone, later.tone);
  assert.notEqual(woken.level, later.level);
});
