import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, oggPages, oggSequenceGaps, readStream, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
/** The repository's plugins and the test plugin that fails or goes silent on demand. */
const PLUGIN_PATH = [path.join(REPO, 'plugins'), path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault')].join(':');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-recovery-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A project of its own (so its registry.json is not the repository's) with one flow fed by producer-fault. */
function faultyProject(port: number, streamerExtra = ''): { project: string; control: string; flows: string } {
  const project = fs.mkdtempSync(path.join(scratch, 'project-'));
  const control = path.join(project, 'control');
  const flows = path.join(project, 'flows');
  fs.mkdirSync(control);
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "recovery-test", "private": true }\n');
  fs.writeFileSync(
    path.join(flows, 'faulty.yaml'),
    `name: faulty
components:
  src:
    type: producer-fault
    properties: { control: ${JSON.stringify(control)} }
  enc:
    type: encoder-vorbis
    eats: src
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /faulty.ogg, port: ${port}, bind-address: 127.0.0.1${streamerExtra} }
`,
  );
  return { project, control, flows };
}

/** Decode a (possibly chained) Ogg file with playbin, as a player would; the seconds of audio it gave. */
function playedSeconds(data: Buffer): Promise<{ seconds: number; output: string }> {
  const dir = fs.mkdtempSync(path.join(scratch, 'play-'));
  const input = path.join(dir, 'in.ogg');
  const wav = path.join(dir, 'out.wav');
  fs.writeFileSync(input, data);
  return new Promise((resolve) => {
    execFile(
      'gst-launch-1.0',
      ['-q', 'playbin', `uri=file://${input}`, `audio-sink=audioconvert ! audio/x-raw,format=S16LE,rate=44100,channels=2 ! wavenc ! filesink location=${wav}`, 'video-sink=fakesink'],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const bytes = fs.existsSync(wav) ? fs.statSync(wav).size - 44 : 0;
        resolve({ seconds: error ? 0 : bytes / (44100 * 4), output: `${stdout}${stderr}` });
      },
    );
  });
}

test('serve: a pipeline failure is recovered inside the worker and the listener keeps decoding across the restart (a new chained Ogg stream); repeated failures wait longer; a silent feed is hungry; a frozen worker is lost and replaced', async () => {
  const port = await freePort();
  const { project, control, flows } = faultyProject(port);
  const serve = startServe(['--project', project, flows], {
    cwd: project,
    env: { FLOWCAST_PLUGIN_PATH: PLUGIN_PATH, FLOWCAST_HUNGRY_AFTER: '1', FLOWCAST_LOST_AFTER: '2' },
  });
  try {
    await serve.waitFor(/flow "faulty" is running/, 30_000);
    const workerPid = serve.workerPid('faulty')!;
    const listener = readStream(`http://127.0.0.1:${port}/faulty.ogg`, { seconds: 8 });
    await new Promise((r) => setTimeout(r, 2000));
    fs.writeFileSync(path.join(control, 'fail'), '');
    await serve.waitFor(/flow "faulty" is running \(pipeline start 2\)/, 10_000);
    assert.equal(serve.workerPid('faulty'), workerPid, 'the same worker rebuilt its pipeline');
    const sad = serve.logs().find((r) => r.msg === 'mood' && r.flow === 'faulty' && r.mood === 'sad');
    assert.match(String(sad?.reason), /src: .*component "src": the test told it to fail/);

    const { status, body } = await listener;
    assert.equal(status, 200);
    const pages = oggPages(body);
    const bos = pages.filter((p) => p.bos);
    assert.equal(bos.length, 2, 'two logical streams: the first and the one after the restart, chained');
    assert.notEqual(bos[0]!.serial, bos[1]!.serial);
    const second = pages.filter((p) => p.serial === bos[1]!.serial);
    assert.deepEqual(oggSequenceGaps(second), [], 'the new stream reached the listener from its first page on');
    const played = await playedSeconds(body);
    assert.ok(played.seconds > 5, `a player decoded ${played.seconds.toFixed(2)} s of the 8 s across the restart\n${played.output}`);

    // The same failure again soon after: the next attempt waits longer (2 s, then 4 s …).
    fs.writeFileSync(path.join(control, 'fail'), '');
    const again = await serve.waitForLog((r) => r.msg === 'pipeline restart scheduled' && r.flow === 'faulty' && r.attempt === 3, 10_000);
    assert.ok(Number(again.inMs) >= 2000 && Number(again.inMs) <= 2200, `second wait ${again.inMs} ms`);
    await serve.waitFor(/flow "faulty" is running \(pipeline start 3\)/, 10_000);

    // A feed that goes silent makes the component that eats it hungry, and happy when data comes back.
    fs.writeFileSync(path.join(control, 'silent'), '');
    const hungry = await serve.waitForLog((r) => r.msg === 'component mood' && r.flow === 'faulty' && r.component === 'web' && r.mood === 'hungry', 10_000);
    assert.match(String(hungry.reason), /no data from upstream for \d/);
    fs.rmSync(path.join(control, 'silent'));
    await serve.waitForLog((r) => r.msg === 'component mood' && r.component === 'web' && r.mood === 'happy' && r.reason === 'data flows again', 10_000);

    // A worker that stops answering heartbeats is lost, killed and replaced.
    process.kill(workerPid, 'SIGSTOP');
    const lost = await serve.waitForLog((r) => r.msg === 'mood' && r.flow === 'faulty' && r.mood === 'lost', 10_000);
    assert.match(String(lost.reason), /did not answer heartbeats/);
    const mark = serve.stdout().length;
    await serve.waitFor(/flow "faulty" is running/, 15_000, mark);
    assert.notEqual(serve.workerPid('faulty'), workerPid);
  } finally {
    assert.equal((await serve.stop('SIGTERM')).code, 0);
  }
  assert.ok(!fs.existsSync(path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault', 'registry.json')));
});

test('serve: listeners are held for hold-on-restart seconds, then let go; meanwhile new ones get 503 with Retry-After, and the stream is served again once it is back', async () => {
  const port = await freePort();
  const { project, control, flows } = faultyProject(port, ', hold-on-restart: 1');
  // A first restart 3 s after the failure: longer than the listeners are held.
  const serve = startServe(['--project', project, flows], { cwd: project, env: { FLOWCAST_PLUGIN_PATH: PLUGIN_PATH, FLOWCAST_RESTART_MIN: '3' } });
  try {
    await serve.waitFor(/flow "faulty" is running/, 30_000);
    const url = `http://127.0.0.1:${port}/faulty.ogg`;
    const listener = readStream(url, { seconds: 10 });
    await new Promise((r) => setTimeout(r, 1000));
    fs.writeFileSync(path.join(control, 'fail'), '');
    await serve.waitForLog((r) => r.msg === 'listeners let go: the stream did not come back in time', 5000);
    const held = await listener;
    assert.equal(held.status, 200);
    const during = await readStream(url, { seconds: 1 });
    assert.equal(during.status, 503);
    assert.equal(during.headers['retry-after'], '5');
    await serve.waitFor(/flow "faulty" is running \(pipeline start 2\)/, 10_000);
    const after = await readStream(url, { seconds: 1 });
    assert.equal(after.status, 200, 'served again once the stream is back');
  } finally {
    assert.equal((await serve.stop('SIGTERM')).code, 0);
  }
});
