import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

/*
 * A decoder's bus is read by the GStreamer binding from a libuv pool thread that waits until a
 * message comes. This child process keeps its two pool threads busy (two 1-second pbkdf2 runs)
 * while a decoder starts and stops, so the bus poll only begins once the pipeline is stopped.
 * A bus flushed at the stop would leave that poll waiting for ever, and the process could not
 * exit: a clean-clone CI run once hung there, in `flowcast run`'s stop.
 */
const CHILD = `
const crypto = require('node:crypto');
const { FileDecoder } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'file-decoder.js'))});
for (let i = 0; i < 2; i++) crypto.pbkdf2('busy', 'pool', 2_000_000, 32, 'sha256', () => {});
const decoder = new FileDecoder(process.argv[1], 'audio/x-raw,format=S16LE,layout=interleaved,rate=44100,channels=1', {
  buffer: () => {}, end: () => {}, error: () => {},
});
decoder.start();
decoder.stop();
`;

test('producer-file: a decoder stopped before its bus was first read lets the process exit', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-file-decoder-'));
  try {
    const file = path.join(directory, 'tone.ogg');
    execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', 'num-buffers=22', '!', 'audioconvert', '!', 'vorbisenc', '!', 'oggmux', '!', 'filesink', `location=${file}`]);
    const child = spawnSync(process.execPath, ['-e', CHILD, file], { env: { ...process.env, UV_THREADPOOL_SIZE: '2' }, timeout: 30_000, encoding: 'utf8' });
    assert.equal(child.signal, null, `the process did not exit within 30 s (killed by ${child.signal}); stderr: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
