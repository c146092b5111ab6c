import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, discover, freePort, isPortOpen, readStream, runCli, startFlow, writeFlow } from '@flowcast/core/testing';

/** The repository's ALSA stand-in: a `file` PCM on the `null` PCM, see test/fixtures/alsa/README.md. */
const TEMPLATE = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'alsa', 'asoundrc.template');

interface AlsaStandIn {
  directory: string;
  fifo: string;
  /** The environment that makes `flowcast_test` exist (and nothing else). */
  env: NodeJS.ProcessEnv;
}

/** Render the template into a new directory, with a FIFO as the device's input. */
function alsaStandIn(): AlsaStandIn {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-alsa-'));
  const fifo = path.join(directory, 'in.fifo');
  execFileSync('mkfifo', [fifo]);
  const config = path.join(directory, 'asoundrc');
  fs.writeFileSync(config, fs.readFileSync(TEMPLATE, 'utf8').replaceAll('@INFILE@', fifo));
  return { directory, fifo, env: { ALSA_CONFIG_PATH: config } };
}

/**
 * Feed the FIFO with a live 48000 Hz stereo S16LE tone, so the device delivers audio in real time.
 * Each gst-launch opens the FIFO (blocking until the device opens it). The shell starts another one
 * whenever one ends: a device opened, closed and opened again while the flow starts would otherwise
 * leave the writer dead of a broken pipe and the second open waiting for ever.
 */
function startFifoWriter(fifo: string): ChildProcess {
  const feed = 'gst-launch-1.0 -q audiotestsrc is-live=true freq=440 volume=0.5 ! audio/x-raw,format=S16LE,rate=48000,channels=2 ! fdsink fd=1 > "$1"';
  const writer = spawn('sh', ['-c', `while :; do ${feed}; sleep 0.05; done`, 'writer', fifo], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so that stopWriter ends the loop and the gst-launch inside it together.
    detached: true,
  });
  writer.stderr!.resume();
  return writer;
}

async function stopWriter(writer: ChildProcess): Promise<void> {
  if (writer.exitCode !== null || writer.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => writer.once('close', () => resolve()));
  process.kill(-writer.pid!, 'SIGKILL');
  await exited;
}

function captureFlow(device: string, port: number): string {
  return writeFlow(`name: capture
components:
  mic:
    type: producer-alsa
    properties:
      device: ${JSON.stringify(device)}
      samplerate: 48000
      channels: 2
  enc:
    type: encoder-vorbis
    eats: mic
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /mic.ogg, port: ${port}, bind-address: 127.0.0.1 }
`);
}

/** The line where `flowcast run` says why the flow stopped. */
function failureLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('FC_'));
  assert.ok(line, `no FC_ error line in:\n${stderr}`);
  return line;
}

test('producer-alsa: captures from an ALSA device (file PCM fed in real time) and streams 48000 Hz stereo Vorbis', async () => {
  const alsa = alsaStandIn();
  const writer = startFifoWriter(alsa.fifo);
  try {
    const port = await freePort();
    const flow = await startFlow(captureFlow('flowcast_test', port), { env: alsa.env, timeoutMs: 15_000 });
    try {
      const url = `http://127.0.0.1:${port}/mic.ogg`;
      assert.deepEqual(flow.urls, [url], flow.stdout());
      const { status, headers, body } = await readStream(url, { seconds: 5 });
      assert.equal(status, 200);
      assert.equal(headers['content-type'], 'application/ogg');
      const info = await discover(body);
      assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
      assert.equal(info.sampleRate, 48000, info.report);
      assert.equal(info.channels, 2, info.report);
      const duration = /Duration: 0:00:(\d+\.\d+)/.exec(info.report);
      assert.ok(duration && Number(duration[1]) >= 1, `captured audio too short:\n${info.report}`);
      const decoded = await decodes(body);
      assert.ok(decoded.ok, decoded.output);
      assert.equal(writer.exitCode, null, 'the FIFO writer is still feeding the device');
    } finally {
      assert.equal(await flow.stop(), 0);
    }
  } finally {
    await stopWriter(writer);
    fs.rmSync(alsa.directory, { recursive: true, force: true });
  }
});

test('producer-alsa: a device that does not exist fails the run with exit 1, names component and device, frees the port', async () => {
  const alsa = alsaStandIn();
  try {
    const port = await freePort();
    const file = captureFlow('nosuchdevice', port);

    await assert.rejects(startFlow(file, { env: alsa.env, timeoutMs: 15_000 }), (error: Error & { code?: number; stderr?: string }) => {
      assert.equal(error.code, 1, error.message);
      assert.match(failureLine(error.stderr ?? ''), /component "mic" \(producer-alsa\) failed: ALSA device "nosuchdevice"/);
      return true;
    });

    const began = Date.now();
    const result = await runCli(['run', file], { env: alsa.env, timeoutMs: 20_000 });
    const elapsed = Date.now() - began;
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /is running/);
    const line = failureLine(result.stderr);
    assert.ok(line.startsWith('FC_COMPONENT_FAILED: component "mic" (producer-alsa) failed: ALSA device "nosuchdevice" could not be opened for capture'), line);
    // GStreamer's own reason, as alsasrc reports it.
    assert.ok(line.includes("Recording open error on device 'nosuchdevice'"), line);
    assert.ok(line.includes('property "device" of component "mic"'), line);
    assert.ok(elapsed < 10_000, `took ${elapsed} ms to fail`);
    assert.equal(await isPortOpen(port), false, `port ${port} is still open after the run exited`);
  } finally {
    fs.rmSync(alsa.directory, { recursive: true, force: true });
  }
});

test('producer-alsa: a device value with pipeline syntax is one device name, never pipeline text', async () => {
  const alsa = alsaStandIn();
  try {
    const evil = 'nosuch ! fakesink name=evil "x"';
    const [plainPort, evilPort] = [await freePort(), await freePort()];
    const plain = await runCli(['run', captureFlow('nosuchdevice', plainPort)], { env: alsa.env, timeoutMs: 20_000 });
    const attacked = await runCli(['run', captureFlow(evil, evilPort)], { env: alsa.env, timeoutMs: 20_000 });

    assert.equal(attacked.code, 1, attacked.stderr);
    assert.equal(plain.code, 1, plain.stderr);
    const line = failureLine(attacked.stderr);
    // alsasrc itself was asked to open the whole string as one device.
    assert.ok(line.includes(`Recording open error on device '${evil}'`), line);
    // Exactly the failure of a missing device, with the whole string as its name.
    assert.equal(line, failureLine(plain.stderr).replaceAll('nosuchdevice', evil));
    assert.doesNotMatch(attacked.stderr, /FC_PIPELINE_BUILD|FC_UNSAFE_LITERAL|no element|syntax error/i);
    assert.equal(await isPortOpen(evilPort), false);
  } finally {
    fs.rmSync(alsa.directory, { recursive: true, force: true });
  }
});
