import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, freePort, readStream, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

/** A flow playing `location` (relative to the flow file) to an Ogg Vorbis stream. */
async function fileFlow(location: string): Promise<{ file: string; url: string }> {
  const port = await freePort();
  const file = writeFlow(`name: file-test
components:
  jingle:
    type: producer-file
    properties: { location: ${JSON.stringify(location)} }
  enc:
    type: encoder-vorbis
    eats: jingle
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /file.ogg, port: ${port}, bind-address: 127.0.0.1, burst-on-connect: false }
`);
  return { file, url: `http://127.0.0.1:${port}/file.ogg` };
}

/** Write a short tone as a media file with GStreamer (`encoder` e.g. "vorbisenc ! oggmux" or "wavenc"). */
function tone(file: string, frequency: number, encoder: string): void {
  execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', 'num-buffers=22', `freq=${frequency}`, '!', 'audioconvert', '!', ...encoder.split(' '), '!', 'filesink', `location=${file}`]);
}

/** Frequencies heard, by zero crossings per quarter second of decoded mono S16 audio. */
function frequencies(wav: Buffer): number[] {
  const samples = new Int16Array(wav.buffer, wav.byteOffset + 44, Math.floor((wav.length - 44) / 2));
  const window = 11025;
  const found: number[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    let crossings = 0;
    for (let i = start + 1; i < start + window; i++) if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) crossings++;
    found.push(Math.round((crossings * 2) / 10) * 10);
  }
  return found;
}

test('producer-file: a directory is played live as a playlist, in a loop; a file GStreamer cannot decode is skipped once, with the reason', async () => {
  const { file, url } = await fileFlow('media');
  const media = path.join(path.dirname(file), 'media');
  fs.mkdirSync(media);
  tone(path.join(media, 'a.ogg'), 660, 'vorbisenc ! oggmux'); // 0.5 s each
  tone(path.join(media, 'b.wav'), 330, 'wavenc');
  fs.writeFileSync(path.join(media, 'c.mp3'), 'this is not audio\n');
  const flow = await startFlow(file);
  try {
    const { status, body } = await readStream(url, { seconds: 4 });
    assert.equal(status, 200);
    assert.ok((await decodes(body)).ok);
    const dir = path.dirname(file);
    fs.writeFileSync(path.join(dir, 'heard.ogg'), body);
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${path.join(dir, 'heard.ogg')}`, '!', 'oggdemux', '!', 'vorbisdec', '!', 'audioconvert', '!', 'audioresample', '!', 'audio/x-raw,format=S16LE,rate=44100,channels=1', '!', 'wavenc', '!', 'filesink', `location=${path.join(dir, 'heard.wav')}`]);
    const heard = frequencies(fs.readFileSync(path.join(dir, 'heard.wav')));
    assert.ok(heard.length >= 12, `${heard.length / 4} s of audio in 4 s, in real time`);
    assert.ok(heard.filter((f) => f === 660).length >= 2 && heard.filter((f) => f === 330).length >= 2, `both files, in turns: ${heard.join(' ')}`);
    const switches = heard.filter((f, i) => i > 0 && f !== heard[i - 1] && (f === 330 || f === 660)).length;
    assert.ok(switches >= 3, `the playlist loops: ${heard.join(' ')}`);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
  const skipped = flow.stderr().match(/skipped [^"]*c\.mp3: GStreamer cannot decode it: Could not determine type of stream/g) ?? [];
  assert.equal(skipped.length, 1, flow.stderr());
});

test('producer-file: a file GStreamer cannot decode, or a location that does not exist, stops the flow before it starts, with the reason', async () => {
  const { file } = await fileFlow('junk.ogg');
  fs.writeFileSync(path.join(path.dirname(file), 'junk.ogg'), 'not an Ogg file at all\n'.repeat(100));
  const junk = await runCli(['run', file]);
  assert.equal(junk.code, 1);
  assert.match(junk.stderr, /FC_PREFLIGHT: component "jingle": GStreamer cannot decode [^\n]*junk\.ogg: [^\n]+\. Fix: Use an audio file GStreamer can play/);
  const { file: missing } = await fileFlow('nowhere');
  const gone = await runCli(['run', missing]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /FC_PREFLIGHT: component "jingle": [^\n]*nowhere does not exist/);
});
