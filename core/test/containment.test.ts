import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { decodes, freePort, readStream, runCli, startFlow } from '../src/testing';
import { CORE_DIRECTORY } from '../src/version';
import { descriptor, tempProject, TONE_IMPLEMENTATION, writePlugin } from './helpers/temp-plugin';

/*
 * Broken plugins are contained: each is listed with its reason, a flow using it fails validation
 * with that reason (never a stack trace), and flows that do not use it run as if it were not there.
 * The project uses the real bundled plugins (plugins/) beside five broken ones.
 */
const BUNDLED = path.resolve(CORE_DIRECTORY, '..', 'plugins');
let project = '';
let env: NodeJS.ProcessEnv = {};

before(() => {
  project = tempProject();
  const broken = path.join(project, 'broken');
  const impl = { 'impl.js': TONE_IMPLEMENTATION };
  writePlugin(broken, { name: 'throws-on-import', manifestSource: `throw new Error('cannot find the licence server');` });
  writePlugin(broken, { name: 'bad-schema', files: impl, components: [descriptor('bad-schema-tone', { properties: { type: 'object', properties: { level: { type: 'numbr' } } } })] });
  writePlugin(broken, { name: 'needs-element', files: impl, components: [descriptor('exotic-tone', { elements: [{ element: 'nosuchelementhere', debian: 'gstreamer1.0-nosuch' }] })] });
  writePlugin(broken, { name: 'future', coreRange: '^9.0.0', files: impl, components: [descriptor('future-tone')] });
  writePlugin(broken, { name: 'impl-throws', files: { 'impl.js': `throw new Error('native codec library missing');` }, components: [descriptor('fragile-tone')] });
  env = { FLOWCAST_PLUGIN_PATH: [BUNDLED, broken].join(path.delimiter) };
});

function flowWith(type: string): string {
  const file = path.join(project, `${type}.yaml`);
  fs.writeFileSync(file, `name: uses-${type}\ncomponents:\n  tone:\n    type: ${type}\n  enc:\n    type: encoder-vorbis\n    eats: tone\n  mux:\n    type: muxer-ogg\n    eats: enc\n  web:\n    type: streamer-http\n    eats: mux\n    properties: { mount: /x.ogg, port: 18999 }\n`);
  return file;
}

test('plugin list shows every broken plugin with its reason beside the working ones', async () => {
  const result = await runCli(['plugin', 'list', '--project', project], { env });
  assert.equal(result.code, 0, result.stderr);
  const line = (name: string): string => result.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? `(no line for ${name})\n${result.stdout}`;
  assert.match(line('@flowcast/encoder-vorbis'), /encoder-vorbis\s+ok$/);
  assert.match(line('throws-on-import'), /broken: loading .*manifest\.js failed: cannot find the licence server/);
  assert.match(line('bad-schema'), /bad-schema-tone\s+broken: component "bad-schema-tone": property schema does not compile/);
  assert.match(line('needs-element'), /exotic-tone\s+unavailable: exotic-tone: GStreamer element nosuchelementhere missing: apt-get install gstreamer1.0-nosuch/);
  assert.match(line('future'), /future-tone\s+broken: future 1\.0\.0 targets @flowcast\/core \^9\.0\.0, but this core is 0\.1\.0/);
  assert.match(line('impl-throws'), /fragile-tone\s+ok$/, 'its manifest is fine: the implementation only loads when a flow runs it');
});

const cases: [string, string, RegExp][] = [
  ['bad-schema-tone', 'FC_BROKEN_PLUGIN', /component type "bad-schema-tone" comes from the plugin bad-schema 1\.0\.0, which cannot be used: .*property schema does not compile/],
  ['exotic-tone', 'FC_UNAVAILABLE_TYPE', /component type "exotic-tone" is unavailable here: GStreamer element nosuchelementhere missing: apt-get install gstreamer1\.0-nosuch/],
  ['future-tone', 'FC_BROKEN_PLUGIN', /comes from the plugin future 1\.0\.0, which cannot be used: future 1\.0\.0 targets @flowcast\/core \^9\.0\.0, but this core is 0\.1\.0/],
  ['licensed-tone', 'FC_UNKNOWN_TYPE', /unknown component type "licensed-tone" .*could not be loaded and may provide it: throws-on-import \(loading .* failed: cannot find the licence server\)/],
];
for (const [type, code, message] of cases) {
  test(`a flow using ${type} fails validation with the plugin's reason, not a stack trace`, async () => {
    const file = flowWith(type);
    const result = await runCli(['validate', file, '--project', project], { env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`${path.basename(file)}:4:11: error ${code} component "tone": `), result.stderr);
    assert.match(result.stderr, message, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('a flow whose implementation throws on load fails to start with FC_PLUGIN_LOAD, starting nothing', async () => {
  const result = await runCli(['run', flowWith('fragile-tone'), '--project', project], { env });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /FC_PLUGIN_LOAD: component type "fragile-tone" of impl-throws: native codec library missing/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test('a flow that uses none of the broken plugins runs and streams', async () => {
  const port = await freePort();
  const file = path.join(project, 'good.yaml');
  fs.writeFileSync(file, fs.readFileSync(flowWith('producer-test'), 'utf8').replace('port: 18999', `port: ${port}, bind-address: 127.0.0.1`));
  const flow = await startFlow(file, { cwd: project, env });
  try {
    const { status, body } = await readStream(`http://127.0.0.1:${port}/x.ogg`, { seconds: 2 });
    assert.equal(status, 200);
    const decoded = await decodes(body);
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0);
  }
});
