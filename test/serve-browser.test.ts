/**
 * Headless Chromium's <audio> plays a flow under `flowcast serve` across a pipeline restart: the
 * stream goes on as a new chained Ogg stream (or, for WebM, a new EBML header and segment) on the
 * same connection, and the player must carry on.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, startServe } from '@flowcast/core/testing';
import { launchChromium, requireChromium, serveReportingPage, type RunningChromium } from './support/headless-chromium';

const REPO = path.join(__dirname, '..', '..');
const PLUGIN_PATH = [path.join(REPO, 'plugins'), path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault')].join(':');

interface Report {
  phase: 'playing' | 'done' | 'timeout';
  /** currentTime and the analyser's peak, every 500 ms after the restart was asked for. */
  samples?: { t: number; peak: number }[];
  error?: number;
  ended?: boolean;
}

function page(streamUrl: string): string {
  return `<!doctype html><meta charset="utf-8"><title>player</title>
<audio id="a" crossorigin="anonymous" src="${streamUrl}"></audio>
<script>
const post = (report) => fetch('/report', { method: 'POST', body: JSON.stringify(report) });
const a = document.getElementById('a');
const context = new AudioContext();
const analyser = context.createAnalyser();
context.createMediaElementSource(a).connect(analyser);
analyser.connect(context.destination);
const final = { phase: 'done', samples: [] };
a.addEventListener('error', () => { final.error = a.error.code; });
a.addEventListener('ended', () => { final.ended = true; });
a.addEventListener('playing', () => {
  post({ phase: 'playing' });
  const timer = setInterval(() => {
    const samples = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(samples);
    final.samples.push({ t: a.currentTime, peak: samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0) });
    if (final.samples.length === 18) { clearInterval(timer); post(final); }
  }, 500);
}, { once: true });
context.resume().then(() => a.play());
setTimeout(() => post({ phase: 'timeout' }), 40000);
</script>`;
}

/** A flow of producer-fault → ENCODER → MUXER → streamer-http at MOUNT, played in Chromium across a pipeline restart. */
async function playsAcrossRestart(encoder: string, muxer: string, mount: string): Promise<void> {
  requireChromium();
  const port = await freePort();
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-serve-browser-'));
  const control = path.join(project, 'control');
  fs.mkdirSync(control);
  fs.mkdirSync(path.join(project, 'flows'));
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "browser-restart-test", "private": true }\n');
  fs.writeFileSync(
    path.join(project, 'flows', 'faulty.yaml'),
    `name: faulty
components:
  src: { type: producer-fault, properties: { control: ${JSON.stringify(control)} } }
  enc: { type: ${encoder}, eats: src }
  mux: { type: ${muxer}, eats: enc }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: ${mount}, port: ${port}, bind-address: 127.0.0.1 }
`,
  );
  const serve = startServe(['--project', project, path.join(project, 'flows')], { cwd: project, env: { FLOWCAST_PLUGIN_PATH: PLUGIN_PATH } });
  const pageServer = await serveReportingPage<Report>(page(`http://127.0.0.1:${port}${mount}`));
  const report = (phase: Report['phase']): Promise<Report> => pageServer.reportWhere((r) => r.phase === phase || r.phase === 'timeout');
  let browser: RunningChromium | undefined;
  try {
    await serve.waitFor(/flow "faulty" is running/, 30_000);
    browser = launchChromium(pageServer.url);
    assert.equal((await report('playing')).phase, 'playing');
    await new Promise((r) => setTimeout(r, 1500));
    fs.writeFileSync(path.join(control, 'fail'), '');
    await serve.waitFor(/flow "faulty" is running \(pipeline start 2\)/, 10_000);
    const done = await report('done');
    assert.equal(done.phase, 'done', JSON.stringify(done));
    assert.equal(done.error, undefined, `the player failed: ${JSON.stringify(done)}`);
    assert.notEqual(done.ended, true, 'the player took the restart for the end of the stream');
    const samples = done.samples!;
    const last = samples[samples.length - 1]!;
    const atRestart = samples[3]!; // 1.5 s after playing started, when the failure was asked for
    assert.ok(last.t - atRestart.t > 4, `the player went on ${(last.t - atRestart.t).toFixed(2)} s in the 7 s after the restart: ${JSON.stringify(samples)}`);
    assert.ok(samples.slice(-4).every((s) => s.peak > 0.1), `the tone is heard at the end: ${JSON.stringify(samples)}`);
  } finally {
    await browser?.stop();
    pageServer.close();
    assert.equal((await serve.stop('SIGTERM')).code, 0);
    fs.rmSync(project, { recursive: true, force: true });
  }
}

test('serve: a Chromium <audio> player carries on across a pipeline restart (a new chained Ogg stream on the same connection)', { timeout: 90_000 }, () => playsAcrossRestart('encoder-vorbis', 'muxer-ogg', '/faulty.ogg'));

test('serve: a Chromium <audio> player carries on across a pipeline restart of a WebM stream (a new EBML header and segment on the same connection)', { timeout: 90_000 }, () =>
  playsAcrossRestart('encoder-opus', 'muxer-webm', '/faulty.webm'));
