/**
 * The WebM restart path of `flowcast serve`: when a WebM flow's pipeline fails and is rebuilt, a
 * listener stays connected and gets the new stream as a new EBML header and segment in line, its
 * clusters moved on in time after the old stream's, and GStreamer (a player's demuxer and decoder)
 * decodes all of it across the restart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, readStream, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const PLUGIN_PATH = [path.join(REPO, 'plugins'), path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault')].join(':');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-serve-webm-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const EBML_HEADER = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const SEGMENT = Buffer.from([0x18, 0x53, 0x80, 0x67]);
const CLUSTER = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

function offsetsOf(data: Buffer, id: Buffer): number[] {
  const found: number[] = [];
  for (let at = data.indexOf(id); at >= 0; at = data.indexOf(id, at + 1)) found.push(at);
  return found;
}

/** An EBML variable-size integer's length in bytes (from its first byte) and value. */
function vint(data: Buffer, at: number): { length: number; value: number } {
  const length = Math.clz32(data[at]!) - 23;
  let value = data[at]! & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + data[at + i]!;
  return { length, value };
}

/** Each cluster's timecode (ms, its first child element, 0xE7) and where the cluster is. */
function clusterTimes(data: Buffer): { at: number; timecode: number }[] {
  return offsetsOf(data, CLUSTER).flatMap((at) => {
    const element = at + 4 + vint(data, at + 4).length;
    if (data[element] !== 0xe7) return [];
    const size = vint(data, element + 1);
    let timecode = 0;
    for (let i = 0; i < size.value; i++) timecode = timecode * 256 + data[element + 1 + size.length + i]!;
    return [{ at, timecode }];
  });
}

/**
 * Decode WebM Opus with GStreamer's demuxer and decoder, fed in push mode (as from an HTTP source:
 * a live stream cannot be seeked): the seconds of audio it gave, and its output.
 */
function decodedSeconds(data: Buffer, name: string): Promise<{ seconds: number; output: string }> {
  const wav = path.join(scratch, `${name}.wav`);
  return new Promise((resolve) => {
    const child = execFile(
      'gst-launch-1.0',
      ['-q', 'fdsrc', 'fd=0', '!', 'matroskademux', '!', 'opusdec', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE,rate=48000,channels=1', '!', 'wavenc', '!', 'filesink', `location=${wav}`],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const bytes = fs.existsSync(wav) ? fs.statSync(wav).size - 44 : 0;
        resolve({ seconds: error ? 0 : bytes / (48000 * 2), output: `${stdout}${stderr}` });
      },
    );
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(data);
  });
}

test('serve: a WebM listener stays connected through a pipeline restart and gets a new EBML header and segment in line; GStreamer decodes across it', async () => {
  const port = await freePort();
  const project = fs.mkdtempSync(path.join(scratch, 'project-'));
  const control = path.join(project, 'control');
  const flows = path.join(project, 'flows');
  fs.mkdirSync(control);
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "webm-restart-test", "private": true }\n');
  fs.writeFileSync(
    path.join(flows, 'faulty.yaml'),
    `name: faulty
components:
  src: { type: producer-fault, properties: { control: ${JSON.stringify(control)} } }
  enc: { type: encoder-opus, eats: src }
  mux: { type: muxer-webm, eats: enc }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /faulty.webm, port: ${port}, bind-address: 127.0.0.1 }
`,
  );
  const serve = startServe(['--project', project, flows], { cwd: project, env: { FLOWCAST_PLUGIN_PATH: PLUGIN_PATH, FLOWCAST_ADMIN_PORT: 'off' } });
  try {
    await serve.waitFor(/flow "faulty" is running/, 30_000);
    const workerPid = serve.workerPid('faulty');
    const listener = readStream(`http://127.0.0.1:${port}/faulty.webm`, { seconds: 9 });
    await new Promise((r) => setTimeout(r, 2500));
    fs.writeFileSync(path.join(control, 'fail'), '');
    await serve.waitFor(/flow "faulty" is running \(pipeline start 2\)/, 10_000);
    assert.equal(serve.workerPid('faulty'), workerPid, 'the same worker rebuilt its pipeline');

    const { status, headers, body } = await listener;
    assert.equal(status, 200);
    assert.match(String(headers['content-type']), /^audio\/webm/);
    const ebml = offsetsOf(body, EBML_HEADER);
    assert.equal(ebml.length, 2, `one EBML header at the start and one for the stream after the restart, at ${ebml.join(', ')}`);
    assert.equal(ebml[0], 0);
    // Each EBML header is followed by its own segment.
    const segments = offsetsOf(body, SEGMENT);
    assert.ok(segments.some((s) => s > ebml[1]!), `a segment after the second EBML header (segments at ${segments.join(', ')})`);

    const before = await decodedSeconds(body.subarray(0, ebml[1]), 'before');
    const afterRestart = await decodedSeconds(body.subarray(ebml[1]), 'after');
    const across = await decodedSeconds(body, 'across');
    assert.ok(before.seconds > 1.5, `the stream before the restart decodes: ${before.seconds.toFixed(2)} s\n${before.output}`);
    assert.ok(afterRestart.seconds > 3, `the stream after the restart decodes on its own from its EBML header: ${afterRestart.seconds.toFixed(2)} s\n${afterRestart.output}`);
    // The new stream's clusters go on in time from the old one's (the streamer moves them on): a
    // demuxer that has followed the old stream's clusters plays the new one's instead of dropping
    // its first seconds as "before the position", and one demuxer over the whole connection, as a
    // player has it, decodes everything.
    const times = clusterTimes(body);
    const lastBefore = Math.max(...times.filter((t) => t.at < ebml[1]!).map((t) => t.timecode));
    const firstAfter = times.find((t) => t.at > ebml[1]!)!.timecode;
    assert.ok(firstAfter > lastBefore, `the first cluster after the restart (${firstAfter} ms) follows the last one before it (${lastBefore} ms)`);
    assert.ok(across.seconds > before.seconds + afterRestart.seconds - 0.5, `GStreamer decoded ${across.seconds.toFixed(2)} s across the restart (${before.seconds.toFixed(2)} s before, ${afterRestart.seconds.toFixed(2)} s after)\n${across.output}`);
  } finally {
    assert.equal((await serve.stop('SIGTERM')).code, 0);
  }
});
