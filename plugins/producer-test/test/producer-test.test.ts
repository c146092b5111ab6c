import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import type { ElementPropertyValue, ElementRef, PartBuilder } from '@flowcast/core';
import { decodes, discover, freePort, readStream, runCli, startFlow, writeFlow } from '@flowcast/core/testing';
import ProducerTest from '../src/producer-test';

test('producer-test: a square tone at 22050 Hz mono streams as decodable Ogg Vorbis at 22050 Hz mono', async () => {
  const port = await freePort();
  const file = writeFlow(`name: tone-test
components:
  tone:
    type: producer-test
    properties: { wave: square, frequency: 330, samplerate: 22050, channels: 1 }
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /tone.ogg, port: ${port}, bind-address: 127.0.0.1 }
`);
  const flow = await startFlow(file);
  try {
    const url = `http://127.0.0.1:${port}/tone.ogg`;
    assert.deepEqual(flow.urls, [url], flow.stdout());
    const { status, headers, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    const info = await discover(body);
    assert.equal(info.container, 'Ogg', info.report);
    assert.match(info.audioCodec ?? '', /Vorbis/, info.report);
    assert.equal(info.sampleRate, 22050, info.report);
    assert.equal(info.channels, 1, info.report);
    const decoded = await decodes(body);
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});

/** A PartBuilder that records what a component builds (the public plugin API, no pipeline). */
class RecordingPart implements PartBuilder {
  readonly elements = new Map<string, { factory: string; properties: Readonly<Record<string, ElementPropertyValue | undefined>> }>();
  readonly links: [string, string][] = [];
  readonly feeders = new Map<string, string>();

  constructor(
    readonly component: string,
    private readonly eaten: ReadonlySet<string>,
  ) {}

  element(factory: string, localName: string, properties: Readonly<Record<string, ElementPropertyValue | undefined>> = {}): ElementRef {
    assert.ok(!this.elements.has(localName), `element ${localName} added twice`);
    this.elements.set(localName, { factory, properties });
    return { localName };
  }
  levelMeter(localName: string): ElementRef {
    return this.element('level', localName, { 'post-messages': true });
  }
  link(...chain: ElementRef[]): void {
    for (let i = 1; i < chain.length; i++) this.links.push([chain[i - 1]!.localName, chain[i]!.localName]);
  }
  linkToPad(from: ElementRef, to: ElementRef, pad: string): void {
    this.links.push([from.localName, `${to.localName}.${pad}`]);
  }
  eater(): void {
    assert.fail('producer-test has no eaters');
  }
  feeder(name: string, from: ElementRef): void {
    this.feeders.set(name, from.localName);
  }
  isEaten(feeder: string): boolean {
    return this.eaten.has(feeder);
  }
  feedCount(): number {
    return 0;
  }
}

const DEFAULTS = { wave: 'sine', frequency: 440, volume: 0.8, samplerate: 44100, channels: 2, pattern: 'smpte', width: 320, height: 240, framerate: 25, marker: false } as const;

/** Caps as gst-launch reads them, from the typed caps value the component gave. */
function capsText(value: ElementPropertyValue | undefined): string {
  assert.ok(typeof value === 'object' && value.kind === 'caps', 'expected a caps value');
  const fields = Object.entries(value.fields).map(([name, field]) =>
    typeof field === 'object' ? `${name}=(fraction)${field.numerator}/${field.denominator}` : `${name}=${typeof field === 'number' ? `(int)${field}` : field}`,
  );
  return [value.mediaType, ...fields].join(',');
}

function gstLaunch(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('gst-launch-1.0', args, { timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

test('producer-test: the video feeder builds a live videotestsrc whose pattern and caps GStreamer accepts', async () => {
  const props = { ...DEFAULTS, pattern: 'ball', width: 160, height: 120, framerate: 10 } as const;

  // Nothing eats the video: no video element is built.
  const audioOnly = new RecordingPart('tone', new Set(['audio']));
  new ProducerTest({ ...props }).build(audioOnly);
  assert.deepEqual([...audioOnly.feeders.keys()], ['audio']);
  assert.ok(![...audioOnly.elements.values()].some((e) => e.factory === 'videotestsrc'));

  const part = new RecordingPart('tone', new Set(['video']));
  new ProducerTest({ ...props }).build(part);
  assert.deepEqual([...part.feeders.keys()], ['video'], 'only the eaten feeder is built');
  const feederElement = part.feeders.get('video')!;
  const src = [...part.elements.entries()].find(([, e]) => e.factory === 'videotestsrc');
  assert.ok(src, 'a videotestsrc is built');
  const [srcName, srcElement] = src;
  assert.equal(srcElement.properties['is-live'], true);
  assert.deepEqual(srcElement.properties['pattern'], { kind: 'gst-enum', nick: 'ball' });
  const filter = part.elements.get(feederElement)!;
  assert.equal(filter.factory, 'capsfilter');
  assert.deepEqual(part.links, [[srcName, feederElement]]);
  const capsString = capsText(filter.properties['caps']);
  assert.equal(capsString, 'video/x-raw,width=(int)160,height=(int)120,framerate=(fraction)10/1');

  // Run what was built in a real GStreamer pipeline: the pattern nick and the caps must negotiate.
  const nick = (srcElement.properties['pattern'] as { nick: string }).nick;
  const run = await gstLaunch(['-v', 'videotestsrc', 'num-buffers=5', `pattern=${nick}`, '!', 'capsfilter', `caps=${capsString}`, '!', 'fakesink']);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /video\/x-raw.*width=\(int\)160, height=\(int\)120, framerate=\(fraction\)10\/1/, run.output);
});

test('producer-test: raw video eaten by muxer-ogg is refused by validate with a media-type error', async () => {
  const file = writeFlow(`name: raw-video
components:
  tone:
    type: producer-test
  mux:
    type: muxer-ogg
    eats: tone:video
`);
  const shown = path.relative(process.cwd(), file);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 2, result.stderr);
  const error = result.stderr.split('\n').find((line) => line.includes(': error '));
  assert.ok(error, result.stderr);
  assert.equal(error.startsWith(`${shown}:7:11: error FC_MEDIA_MISMATCH component "mux": `), true, error);
  assert.match(error, /feed "tone:video" produces video\/x-raw, but eater "default" of muxer-ogg accepts audio\/x-vorbis/);
  assert.match(result.stdout, /1 error/);
});
