import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, readStream, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const PLUGIN_PATH = [path.join(REPO, 'plugins'), path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault')].join(':');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-failover-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Decode a (chained) Ogg stream with playbin to 44.1 kHz mono S16 samples, as a player would. */
function decodeToSamples(data: Buffer): Promise<Int16Array> {
  const dir = fs.mkdtempSync(path.join(scratch, 'decode-'));
  const input = path.join(dir, 'in.ogg');
  const raw = path.join(dir, 'out.raw');
  fs.writeFileSync(input, data);
  return new Promise((resolve, reject) => {
    execFile(
      'gst-launch-1.0',
      ['-q', 'playbin', `uri=file://${input}`, `audio-sink=audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=44100,channels=1 ! filesink location=${raw}`, 'video-sink=fakesink'],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`playbin failed: ${stdout}${stderr}`));
        const bytes = fs.readFileSync(raw);
        resolve(new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2)));
      },
    );
  });
}

/** The tone heard in each half second, by counting zero crossings: 440, 880, or 0 for silence. */
function toneTimeline(samples: Int16Array): number[] {
  const window = 22050;
  const tones: number[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    let crossings = 0;
    let loud = 0;
    for (let i = start + 1; i < start + window; i++) {
      if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) crossings++;
      if (Math.abs(samples[i]!) > 1000) loud++;
    }
    const hz = crossings; // crossings in half a second = 2 × frequency × 0.5
    tones.push(loud < window / 4 ? 0 : Math.abs(hz - 440) < 40 ? 440 : Math.abs(hz - 880) < 40 ? 880 : -hz);
  }
  return tones;
}

test('serve: failover — the backup plays when the main goes silent and when it fails, and the main is taken back; the listener hears the change and nothing else', async () => {
  const port = await freePort();
  const project = fs.mkdtempSync(path.join(scratch, 'project-'));
  const control = path.join(project, 'control');
  fs.mkdirSync(control);
  fs.mkdirSync(path.join(project, 'flows'));
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "failover-test", "private": true }\n');
  fs.writeFileSync(
    path.join(project, 'flows', 'failover.yaml'),
    `name: failover
components:
  mic:
    type: producer-fault
    properties: { control: ${JSON.stringify(control)}, frequency: 440 }
  jingle:
    type: producer-test
    properties: { wave: sine, frequency: 880 }
  live:
    type: switch
    eats: { main: mic, backup: jingle }
    properties: { switch-after: 0.5, return-after: 1 }
  enc:
    type: encoder-vorbis
    eats: live
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /live.ogg, port: ${port}, bind-address: 127.0.0.1, burst-on-connect: false }
`,
  );
  const serve = startServe(['--project', project, path.join(project, 'flows')], { cwd: project, env: { FLOWCAST_PLUGIN_PATH: PLUGIN_PATH } });
  try {
    await serve.waitFor(/flow "failover" is running/, 30_000);
    const listener = readStream(`http://127.0.0.1:${port}/live.ogg`, { seconds: 13 });
    await new Promise((r) => setTimeout(r, 2000));

    // The main goes silent: the backup within a second; back to the main once it delivers again.
    fs.writeFileSync(path.join(control, 'silent'), '');
    const silencedAt = Date.now();
    await serve.waitForLog((r) => r.msg === 'playing the backup' && r.component === 'live', 5000);
    const switchedIn = Date.now() - silencedAt;
    await new Promise((r) => setTimeout(r, 1500));
    fs.rmSync(path.join(control, 'silent'));
    await serve.waitForLog((r) => r.msg === 'back to the main feed', 5000);
    await new Promise((r) => setTimeout(r, 1500));

    // The main fails: the flow goes on without it at once (the backup), and tries it again after the backoff.
    fs.writeFileSync(path.join(control, 'fail'), '');
    const leftOut = await serve.waitForLog((r) => r.msg === 'component failed; the flow goes on without it and tries it again later', 5000);
    assert.deepEqual(leftOut.leftOut, ['mic']);
    await serve.waitForLog((r) => r.msg === 'main feed left out (it failed): playing the backup', 5000);
    await serve.waitFor(/flow "failover" is running \(pipeline start 3\)/, 10_000);

    const { body } = await listener;
    const tones = toneTimeline(await decodeToSamples(body));
    const runs = tones.filter((t, i) => i === 0 || t !== tones[i - 1]);
    assert.ok(switchedIn < 2000, `the backup played ${switchedIn} ms after the main went silent (target: within 1 s)`);
    assert.ok(tones.length >= 16, `${tones.length / 2} s of audio decoded of 13 s: ${tones.join(' ')}`);
    // main, backup (silent main), main, backup (failed main), main again (after the retry)
    const heard = runs.filter((t) => t === 440 || t === 880);
    assert.deepEqual(heard.slice(0, 5), [440, 880, 440, 880, 440], `what the listener heard, by half seconds: ${tones.join(' ')}`);
  } finally {
    assert.equal((await serve.stop('SIGTERM')).code, 0);
  }
});
