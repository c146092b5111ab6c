/**
 * The admin dashboard in headless Chromium, against a real `flowcast serve`: a flow turns
 * sleeping when stopped from the page and happy again when started, a level meter moves for a
 * tone and stays at the bottom for silence, and a bitrate change from the form is measured in the
 * stream. Screenshots are kept in the test's temporary directory (printed at the end).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, oggPages, readStream, startServe } from '@flowcast/core/testing';
import { ChromiumPage } from './support/chromium-cdp';
import { requireChromium } from './support/headless-chromium';

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');

function flow(name: string, port: number, tone: string, encoder: string): string {
  return `name: ${name}
components:
  tone:
    type: producer-test
    properties: { ${tone} }
  vol:
    type: converter-volume
    eats: tone
    properties: { gain: -6 }
  enc:
    ${encoder}
    eats: vol
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /${name}.ogg, port: ${port}, bind-address: 127.0.0.1 }
`;
}

/** The stream's bitrate measured from its Ogg pages: data bytes over the granule time they span (Opus: 48 kHz). */
async function measuredBitrate(url: string): Promise<number> {
  const { body } = await readStream(url, { seconds: 4 });
  const pages = oggPages(body).filter((p) => p.granule > 0n);
  const recent = pages.slice(Math.floor(pages.length / 2)); // past the burst of what was sent before
  const seconds = Number(recent[recent.length - 1]!.granule - recent[0]!.granule) / 48000;
  const bytes = recent.slice(1).reduce((sum, p) => sum + p.length, 0);
  return (bytes * 8) / seconds;
}

test('dashboard in Chromium: stop and start from the page, level meters for tone and silence, a bitrate change from the form', async () => {
  requireChromium();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-dashboard-'));
  const port = await freePort();
  const adminPort = await freePort();
  const flows = path.join(scratch, 'flows');
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(flows, 'radio.yaml'), flow('radio', port, 'wave: sine, frequency: 440, volume: 0.5', 'type: encoder-opus\n    properties: { bitrate: 128000, bitrate-type: cbr }'));
  fs.writeFileSync(path.join(flows, 'quiet.yaml'), flow('quiet', port, 'wave: silence', 'type: encoder-vorbis'));
  const env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort) };
  const token = spawnSync(process.execPath, [CLI, 'token', 'create', 'ops', '--role', 'admin'], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  const serve = startServe([flows], { cwd: REPO, env });
  const page = await ChromiumPage.open(path.join(scratch, 'profile'));
  const shots = path.join(scratch, 'screenshots');
  fs.mkdirSync(shots);
  const shoot = async (name: string): Promise<void> => fs.writeFileSync(path.join(shots, `${name}.png`), await page.screenshot());
  try {
    await serve.waitFor(/flow "radio" is running/, 30_000);
    await serve.waitFor(/flow "quiet" is running/, 30_000);
    await serve.waitFor(/admin API and dashboard/, 10_000);
    await page.navigate(`http://127.0.0.1:${adminPort}/`);
    await page.evaluate(`(document.getElementById('token').value = ${JSON.stringify(token)}, document.querySelector('#login button').click(), true)`);
    const mood = (name: string): string => `document.querySelector('[data-flow="${name}"]')?.dataset.mood`;
    await page.waitUntil(`${mood('radio')} === 'happy' && ${mood('quiet')} === 'happy'`, 20_000);

    // Level meters: the tone's peak is high and its bar is drawn; silence stays at the bottom.
    const samples: { tone: number; silence: number; width: string }[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      samples.push(await page.evaluate(`({ tone: Number(document.querySelector('[data-meter="radio/tone"]').dataset.level), silence: Number(document.querySelector('[data-meter="quiet/tone"]').dataset.level), width: document.querySelector('[data-meter="radio/tone"] > div').style.width })`));
    }
    // Not only producers: the converter's meter comes with its first levels, 6 dB under the tone.
    await page.waitUntil(`Number(document.querySelector('[data-meter="radio/vol"]')?.dataset.level) > -100`, 10_000);
    const gained = await page.evaluate<{ tone: number; vol: number }>(`({ tone: Number(document.querySelector('[data-meter="radio/tone"]').dataset.level), vol: Number(document.querySelector('[data-meter="radio/vol"]').dataset.level) })`);
    assert.ok(Math.abs(gained.vol - (gained.tone - 6)) < 1.5, `the converter's meter, 6 dB under the tone's: ${JSON.stringify(gained)}`);
    // The pipeline latency of the live tone, where the streamer knows it: in the flow's numbers.
    await page.waitUntil(`/web: pipeline latency \\d+\\.\\d\\d s/.test(document.querySelector('[data-flow="radio"] .numbers').textContent)`, 15_000);
    await shoot('1-playing');
    assert.ok(samples.every((s) => s.tone > -12 && s.tone <= 0), `the tone's meter: ${JSON.stringify(samples)}`);
    assert.ok(samples.every((s) => s.silence < -90), `the silence's meter: ${JSON.stringify(samples)}`);
    assert.ok(parseFloat(samples[samples.length - 1]!.width) > 70, `the tone's bar is drawn: ${samples[samples.length - 1]!.width}`);

    // Stop from the page: sleeping (and its mount closed); start: happy again.
    await page.evaluate(`(document.querySelector('[data-flow="radio"] [data-action="stop"]').click(), true)`);
    await page.waitUntil(`${mood('radio')} === 'sleeping' && document.querySelector('[data-flow="radio"] [data-component="web"]').dataset.mood === 'sleeping'`, 15_000);
    await shoot('2-radio-stopped');
    assert.equal(await page.evaluate<string>(`document.querySelector('[data-meter="radio/tone"]').dataset.level`), '-200', 'a stopped flow shows no level');
    assert.equal(await page.evaluate<string>(mood('quiet')), 'happy', 'the other flow goes on');
    await page.evaluate(`(document.querySelector('[data-flow="radio"] [data-action="start"]').click(), true)`);
    await page.waitUntil(`${mood('radio')} === 'happy'`, 20_000);
    await shoot('3-radio-started');

    // A bitrate change from the form, heard in the stream.
    const before = await measuredBitrate(`http://127.0.0.1:${port}/radio.ogg`);
    await page.evaluate(`(() => { const form = document.querySelector('[data-flow="radio"] [data-form="enc"]'); form.querySelector('input[name="bitrate"]').value = '24000'; form.querySelector('button').click(); return true; })()`);
    await page.waitUntil(`document.querySelector('[data-flow="radio"] .message.ok')?.textContent === 'applied and saved'`, 10_000);
    await shoot('4-bitrate-changed');
    const after = await measuredBitrate(`http://127.0.0.1:${port}/radio.ogg`);
    assert.ok(before > 100_000 && before < 160_000, `before: ${Math.round(before)} bit/s`);
    assert.ok(after > 15_000 && after < 40_000, `after: ${Math.round(after)} bit/s (before ${Math.round(before)})`);
    assert.match(fs.readFileSync(path.join(flows, 'radio.yaml'), 'utf8'), /bitrate: 24000/);
    process.stdout.write(`# screenshots: ${shots} (tone ${samples[0]!.tone.toFixed(1)} dBFS, silence ${samples[0]!.silence} dBFS, bitrate ${Math.round(before)} → ${Math.round(after)} bit/s)\n`);
  } finally {
    await page.close();
    await serve.stop();
  }
});
