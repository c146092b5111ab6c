import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isFlowcastError } from '../src/errors/flowcast-error';
import { decodes, discover, loadPluginUnderTest, testAudio, testEncodedAudio, testVideo } from '../src/testing';
import { descriptor, writePlugin } from './helpers/temp-plugin';

const repo = path.resolve(__dirname, '..', '..', '..');
const plugin = (name: string): string => path.join(repo, 'plugins', name);

function tempDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-harness-'));
}

/** A FlowcastError with this code whose message matches every pattern. */
function flowcastError(code: string, ...patterns: RegExp[]) {
  return (error: unknown): boolean => {
    assert.ok(isFlowcastError(error), String(error));
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

/** A plain-JavaScript consumer that counts what its appsink receives, through stats(). */
const COUNTER_IMPLEMENTATION = `class Counter {
  constructor() { this.buffers = 0; this.bytes = 0; this.stopped = false; }
  build(part) {
    part.eater('default', part.element('appsink', 'sink', { sync: false }));
  }
  start(part) {
    const sink = part.element('sink');
    const next = (buffer) => {
      if (this.stopped) return;
      if (!buffer) { if (!sink.eos) setTimeout(() => sink.pull(next), 20); return; }
      this.buffers++;
      this.bytes += buffer.length;
      sink.pull(next);
    };
    sink.pull(next);
  }
  stop() { this.stopped = true; }
  stats() { return { buffers: this.buffers, bytes: this.bytes }; }
}
module.exports = { default: Counter };
`;

/** A producer that reads a file that is not there: GStreamer fails once the pipeline starts. */
const MISSING_FILE_IMPLEMENTATION = `class MissingFile {
  build(part) {
    part.feeder('default', part.element('filesrc', 'file', { location: '/nonexistent/flowcast-harness-test' }));
  }
}
module.exports = { default: MissingFile };
`;

test('loadPluginUnderTest reads a plugin as the registry does, and writes no registry.json', async () => {
  const vorbis = await loadPluginUnderTest(plugin('encoder-vorbis'));
  assert.equal(vorbis.name, '@flowcast/encoder-vorbis');
  assert.equal(vorbis.version, JSON.parse(fs.readFileSync(path.join(plugin('encoder-vorbis'), 'package.json'), 'utf8')).version);
  // Exactly the entry `flowcast registry` writes for it.
  const registered = JSON.parse(fs.readFileSync(path.join(repo, 'registry.json'), 'utf8')) as { components: { type: string }[] };
  assert.deepEqual(vorbis.components, registered.components.filter((c) => c.type === 'encoder-vorbis'));
  await vorbis.run('encoder-vorbis', { seconds: 0.2 });
  assert.equal(fs.existsSync(path.join(plugin('encoder-vorbis'), 'registry.json')), false);
  // The test kit's own sources and capture are never part of a registry.
  assert.doesNotMatch(fs.readFileSync(path.join(repo, 'registry.json'), 'utf8'), /@flowcast\/core\/testing|test-audio|"capture"/);
});

test('encoder-vorbis between a test tone and the capture: Vorbis caps at the rate and channels fed, and its three header packets', async () => {
  const vorbis = await loadPluginUnderTest(plugin('encoder-vorbis'));
  const run = await vorbis.run('encoder-vorbis', { input: testAudio({ samplerate: 32000, channels: 1 }), seconds: 2 });
  assert.match(run.caps(), /^audio\/x-vorbis, rate=\(int\)32000, channels=\(int\)1, streamheader=\(buffer\)< 01766f72626973/);
  const buffers = run.buffers();
  // Identification, comment and setup headers (packet types 1, 3, 5), then audio packets.
  assert.deepEqual(buffers.slice(0, 3).map((b) => [b[0], b.subarray(1, 7).toString('latin1')]), [[1, 'vorbis'], [3, 'vorbis'], [5, 'vorbis']]);
  assert.ok(buffers.length > 20, `only ${buffers.length} buffers for 2 s`);
  assert.equal(run.bytes().length, buffers.reduce((sum, b) => sum + b.length, 0));
  assert.equal(run.stats(), undefined, 'encoder-vorbis keeps no stats');
  // The properties reach the element: resampling to 16000 Hz shows in the caps.
  const resampled = await vorbis.run('encoder-vorbis', { input: testAudio(), properties: { samplerate: 16000 }, seconds: 0.5 });
  assert.match(resampled.caps(), /^audio\/x-vorbis, rate=\(int\)16000, channels=\(int\)2,/);
});

test('validate reports what `flowcast validate` would, with code, component and property', async () => {
  const vorbis = await loadPluginUnderTest(plugin('encoder-vorbis'));
  assert.deepEqual(vorbis.validate('encoder-vorbis', { quality: 0.5 }), []);
  assert.deepEqual(vorbis.validate('encoder-vorbis', { quality: 3 }), [
    'error FC_PROPERTY_INVALID component "encoder-vorbis" property "quality": must be <= 1 (got 3). Fix: run `flowcast inspect encoder-vorbis` to see the properties it takes',
  ]);
  const both = vorbis.validate('encoder-vorbis', { quality: 0.5, bitrate: 64000 });
  assert.equal(both.length, 1, both.join('\n'));
  assert.match(both[0]!, /^error FC_PROPERTY_INVALID component "encoder-vorbis" property "bitrate": set only one of "quality" or "bitrate"/);
  const unknown = vorbis.validate('encoder-vorbis', { loudness: 11, channels: 'two' });
  assert.equal(unknown.length, 2, unknown.join('\n'));
  assert.ok(unknown.some((line) => line.includes('property "loudness": unknown property "loudness"')), unknown.join('\n'));
  assert.ok(unknown.some((line) => line.includes('property "channels": must be of type integer')), unknown.join('\n'));

  // run() validates first and starts nothing on an invalid property.
  await assert.rejects(vorbis.run('encoder-vorbis', { properties: { quality: 3 } }), flowcastError('FC_PROPERTY_INVALID', /component "encoder-vorbis" property "quality": must be <= 1/));
  await assert.rejects(vorbis.run('encoder-opus'), flowcastError('FC_UNKNOWN_TYPE', /has no component type "encoder-opus" \(it has encoder-vorbis\)/));
});

test('a producer under test: producer-test gives raw audio and video with the properties set', async () => {
  const producer = await loadPluginUnderTest(plugin('producer-test'));
  const started = performance.now();
  const run = await producer.run('producer-test', { properties: { samplerate: 22050, channels: 1, width: 160, height: 120 }, seconds: 1 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 1000 && elapsed < 8000, `a live producer runs for the wall time asked: ${elapsed} ms`);
  assert.match(run.caps(), /^audio\/x-raw, format=\(string\)S16LE, layout=\(string\)interleaved, rate=\(int\)22050, channels=\(int\)1/);
  assert.equal(run.caps('audio'), run.caps());
  // About a second of 16-bit mono at 22050 Hz (a live source starts a little late).
  const bytes = run.bytes('audio').length;
  assert.ok(bytes > 22050 * 2 * 0.5 && bytes < 22050 * 2 * 1.5, `${bytes} bytes of audio`);
  assert.match(run.caps('video'), /^video\/x-raw, .*width=\(int\)160, height=\(int\)120, .*framerate=\(fraction\)25\/1/);
  assert.ok(run.buffers('video').length >= 10, `${run.buffers('video').length} video frames`);
  assert.throws(() => run.caps('subtitles'), flowcastError('FC_UNKNOWN_FEED', /no feeder "subtitles" \(it has audio, video\)/));
});

test('testEncodedAudio feeds muxer-ogg: one Ogg stream with Vorbis and FLAC that decodes', async () => {
  const ogg = await loadPluginUnderTest(plugin('muxer-ogg'));
  const run = await ogg.run('muxer-ogg', { input: { default: [testEncodedAudio('vorbis'), testEncodedAudio('flac')] }, seconds: 1 });
  assert.match(run.caps(), /^application\/ogg, streamheader=\(buffer\)< 4f676753/);
  const body = run.bytes();
  assert.equal(body.subarray(0, 4).toString('latin1'), 'OggS');
  const info = await discover(body);
  assert.match(info.report, /Vorbis/, info.report);
  assert.match(info.report, /FLAC/, info.report);
  const decoded = await decodes(body, 'oggdemux ! vorbisdec');
  assert.ok(decoded.ok, decoded.output);

  // Opus too, fed to the default eater as a single source.
  const opus = await ogg.run('muxer-ogg', { input: testEncodedAudio('opus'), seconds: 0.5 });
  const opusDecoded = await decodes(opus.bytes(), 'oggdemux ! opusdec');
  assert.ok(opusDecoded.ok, opusDecoded.output);
  // Raw audio is refused by validation, like in a flow file.
  await assert.rejects(ogg.run('muxer-ogg', { input: testVideo() }), flowcastError('FC_MEDIA_MISMATCH', /produces video\/x-raw, but eater "default" of muxer-ogg accepts/));
});

test('a consumer under test ends at end-of-stream and reports its stats', async () => {
  const directory = writePlugin(tempDirectory(), {
    name: 'counter',
    components: [descriptor('consumer-count', { kind: 'consumer', eaters: [{ name: 'default', accepts: ['*'] }], feeders: [], elements: ['appsink'], properties: { type: 'object', properties: {} } })],
    files: { 'impl.js': COUNTER_IMPLEMENTATION },
  });
  const counter = await loadPluginUnderTest(directory);
  const run = await counter.run('consumer-count', { input: testAudio({ samplerate: 8000, channels: 1 }), seconds: 1 });
  // Exactly one second: 50 buffers of 20 ms, 8000 16-bit samples.
  assert.deepEqual(run.stats(), { buffers: 50, bytes: 16000 });
  assert.throws(() => run.bytes(), flowcastError('FC_UNKNOWN_FEED', /consumer-count has no feeders/));
  assert.equal(fs.existsSync(path.join(directory, 'registry.json')), false);
});

test('a GStreamer error in the run rejects with the FlowcastError naming the component', async () => {
  const directory = writePlugin(tempDirectory(), {
    name: 'missing-file',
    components: [descriptor('producer-file', { elements: ['filesrc'] })],
    files: { 'impl.js': MISSING_FILE_IMPLEMENTATION },
  });
  const broken = await loadPluginUnderTest(directory);
  await assert.rejects(broken.run('producer-file'), flowcastError('FC_COMPONENT_FAILED', /component "producer-file" \(producer-file\) failed: .*(not found|No such file)/i));
});

test('a broken package is refused with every reason: manifest, schema, missing element, not a plugin', async () => {
  const parent = tempDirectory();
  const throwing = writePlugin(parent, { name: 'throws', manifestSource: "throw new Error('boom at import');" });
  await assert.rejects(loadPluginUnderTest(throwing), flowcastError('FC_PLUGIN_MANIFEST', /plugin throws 1\.0\.0 .*boom at import/, /npm run build/));

  const schema = writePlugin(parent, {
    name: 'bad-schema',
    components: [descriptor('producer-bad', { properties: { type: 'object', properties: { level: { type: 'number', minimum: 'low' } } } })],
  });
  await assert.rejects(loadPluginUnderTest(schema), flowcastError('FC_PLUGIN_SCHEMA', /component "producer-bad": property schema does not compile/));

  const missing = writePlugin(parent, {
    name: 'needs-more',
    components: [descriptor('producer-one'), descriptor('producer-two', { elements: ['audiotestsrc', 'flowcastnosuchelement', { element: 'nosuchsrc', debian: 'gstreamer1.0-nothing' }] })],
  });
  await assert.rejects(
    loadPluginUnderTest(missing),
    flowcastError('FC_ELEMENT_MISSING', /component "producer-two": GStreamer elements flowcastnosuchelement, nosuchsrc missing: apt-get install gstreamer1.0-nothing/),
  );

  const several = writePlugin(parent, { name: 'several', components: [descriptor('Bad_Type'), descriptor('producer-x', { elements: ['nosuchsrc'] })] });
  await assert.rejects(loadPluginUnderTest(several), flowcastError('FC_PLUGIN_MANIFEST', /type must be kebab-case/, /component "producer-x": GStreamer element nosuchsrc missing/));

  const noKeyword = writePlugin(parent, { name: 'no-keyword', keywords: [] });
  await assert.rejects(loadPluginUnderTest(noKeyword), flowcastError('FC_PLUGIN_MANIFEST', /add "flowcast-plugin" to "keywords"/));
  const oldCore = writePlugin(parent, { name: 'old-core', coreRange: '^9.0.0', components: [descriptor('producer-old')] });
  await assert.rejects(loadPluginUnderTest(oldCore), flowcastError('FC_PLUGIN_CORE_RANGE', /targets @flowcast\/core \^9\.0\.0/));
  await assert.rejects(loadPluginUnderTest(parent), flowcastError('FC_PLUGIN_NOT_A_PLUGIN', /has no package\.json/));
  for (const directory of [throwing, schema, missing, several]) assert.equal(fs.existsSync(path.join(directory, 'registry.json')), false);
});
