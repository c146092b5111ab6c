/**
 * A web player on another origin: headless Chromium loads a page from a small server of the test's
 * own and plays two mounts of one running flow through <audio crossorigin>, the way a station's
 * web player with a level meter does (Web Audio reads the samples, which needs CORS).
 * /open.ogg keeps the default `allow-origin: "*"`; /closed.ogg has `allow-origin: ""`.
 * No sound card here: Chromium plays into its own null audio output, with the same clock.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, startFlow, writeFlow } from '@flowcast/core/testing';
import { launchChromium, requireChromium, serveReportingPage } from './support/headless-chromium';

const REPO = path.join(__dirname, '..', '..');
const PLAY_MS = 2500;

interface PlayerReport {
  open?: { advancedS: number; peak: number; error?: number };
  closed?: { error?: number; advancedS?: number };
  timeout?: boolean;
}

function flowYaml(port: number): string {
  return `name: browser-test
components:
  tone:
    type: producer-test
    properties: { wave: sine, frequency: 440, volume: 0.5 }
  encoder:
    type: encoder-vorbis
    eats: tone
  muxer:
    type: muxer-ogg
    eats: encoder
  open:
    type: streamer-http
    eats: muxer
    properties: { mount: /open.ogg, port: ${port}, bind-address: 127.0.0.1 }
  closed:
    type: streamer-http
    eats: muxer
    properties: { mount: /closed.ogg, port: ${port}, bind-address: 127.0.0.1, allow-origin: "" }
`;
}

/** The page: plays both mounts, reads /open.ogg's samples through an analyser, posts what it saw. */
function playerPage(streamOrigin: string): string {
  return `<!doctype html><meta charset="utf-8"><title>player</title>
<audio id="open" crossorigin="anonymous" src="${streamOrigin}/open.ogg"></audio>
<audio id="closed" crossorigin="anonymous" src="${streamOrigin}/closed.ogg"></audio>
<script>
const report = {};
const send = () => fetch('/report', { method: 'POST', body: JSON.stringify(report) });
const done = () => { if (report.open && report.closed) send(); };
const open = document.getElementById('open');
const closed = document.getElementById('closed');
const context = new AudioContext();
const analyser = context.createAnalyser();
context.createMediaElementSource(open).connect(analyser);
analyser.connect(context.destination);
open.addEventListener('error', () => { report.open = { advancedS: 0, peak: 0, error: open.error.code }; done(); });
open.addEventListener('playing', () => {
  const start = open.currentTime;
  setTimeout(() => {
    const samples = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(samples);
    report.open = { advancedS: open.currentTime - start, peak: samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0) };
    done();
  }, ${PLAY_MS});
}, { once: true });
closed.addEventListener('error', () => { report.closed = { error: closed.error.code }; done(); });
closed.addEventListener('playing', () => setTimeout(() => { report.closed = { advancedS: closed.currentTime }; done(); }, ${PLAY_MS}), { once: true });
context.resume().then(() => { open.play(); closed.play().catch(() => undefined); });
setTimeout(() => { report.timeout = true; send(); }, 25000);
</script>`;
}


test('a web player on another origin plays the stream and reads its samples (CORS); allow-origin "" refuses that', { timeout: 90_000 }, async () => {
  requireChromium();

  const port = await freePort();
  const flow = await startFlow(writeFlow(flowYaml(port)), { cwd: REPO });
  const page = await serveReportingPage<PlayerReport>(playerPage(`http://127.0.0.1:${port}`));
  const browser = launchChromium(page.url);
  try {
    // On the wire: with allow-origin "", a preflight is answered (204, Allow) and allows nothing.
    const preflight = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const options = { host: '127.0.0.1', port, path: '/closed.ogg', method: 'OPTIONS', agent: false, headers: { Origin: 'https://player.example', 'Access-Control-Request-Method': 'GET' } };
      http.request(options, (response) => resolve(response.resume())).on('error', reject).end();
    });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers.allow, 'GET, HEAD, OPTIONS');
    assert.deepEqual(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-')), [], JSON.stringify(preflight.headers));

    const report = await page.report;
    assert.ok(!report.timeout, `the page reported nothing in time: ${JSON.stringify(report)}`);
    // /open.ogg played for real: its clock advanced with the wall clock, and the samples the page
    // read are the tone (volume 0.5), not the silence a cross-origin read without CORS gives.
    assert.equal(report.open?.error, undefined, `/open.ogg failed in the browser: ${JSON.stringify(report.open)}`);
    assert.ok((report.open?.advancedS ?? 0) >= (PLAY_MS / 1000) * 0.8, `/open.ogg advanced ${report.open?.advancedS} s in ${PLAY_MS} ms`);
    assert.ok((report.open?.peak ?? 0) > 0.1, `the page read a peak of ${report.open?.peak} from /open.ogg`);
    // /closed.ogg sends no Access-Control-Allow-Origin: a crossorigin player may not use it.
    assert.ok(report.closed?.error !== undefined, `/closed.ogg played without CORS: ${JSON.stringify(report.closed)}`);
  } finally {
    await browser.stop();
    page.close();
    assert.equal(await flow.stop(), 0);
  }
});
