import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { CORE_DIRECTORY } from '../src/version';
import { descriptor, TONE_IMPLEMENTATION, writePlugin, type PluginSpec } from './helpers/temp-plugin';

/*
 * `flowcast plugin add` end to end, with real npm installs into one temporary project whose only
 * dependency at first is core, from a tarball made by `npm pack` (standing in for the registry).
 * Every refused install must leave the project exactly as it was, so the cases share the project.
 */
const REPO = path.resolve(CORE_DIRECTORY, '..');
let project = '';
let plugins = '';

function flowcast(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  // The project's own core, as an operator runs it with `npx flowcast`.
  const cli = path.join(project, 'node_modules', '@flowcast', 'core', 'bin', 'flowcast.js');
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a refused install must not change: the tracked files byte for byte, and node_modules' listing. */
function projectState(): string {
  const read = (name: string): string => (fs.existsSync(path.join(project, name)) ? fs.readFileSync(path.join(project, name), 'utf8') : '<none>');
  const modules = path.join(project, 'node_modules');
  const listing = fs.readdirSync(modules).flatMap((name) => (name.startsWith('@') ? fs.readdirSync(path.join(modules, name)).map((n) => `${name}/${n}`) : [name]));
  return JSON.stringify({ pkg: read('package.json'), lock: read('package-lock.json'), registry: read('registry.json'), modules: listing.sort() });
}

function plugin(spec: PluginSpec): string {
  return writePlugin(plugins, { files: { 'impl.js': TONE_IMPLEMENTATION }, ...spec });
}

function assertRefused(spec: string, code: string, message: RegExp, args: string[] = []): void {
  const state = projectState();
  const result = flowcast(['plugin', 'add', spec, ...args]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, new RegExp(`${code}: `), result.stderr);
  assert.match(result.stderr, message, result.stderr);
  assert.match(result.stderr, /Fix: /);
  assert.match(result.stderr, /was not added; the project is unchanged/);
  assert.equal(projectState(), state, 'the refused install changed the project');
}

before(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-add-'));
  project = path.join(root, 'project');
  plugins = path.join(root, 'plugins');
  fs.mkdirSync(project);
  fs.mkdirSync(plugins);
  const tarball = execFileSync('npm', ['pack', CORE_DIRECTORY, '--pack-destination', root, '--loglevel=error'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'radio', version: '1.0.0', private: true }, null, 2));
  execFileSync('npm', ['install', path.join(root, tarball), '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
});

test('plugin add installs a plugin directory, refreshes the registry and lists what it added', () => {
  assert.equal(flowcast(['schema']).code, 0, 'a project that keeps flow.schema.json');
  const result = flowcast(['plugin', 'add', path.join(REPO, 'plugins', 'producer-test')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /added @flowcast\/producer-test 0\.1\.0\n {2}producer-test {2}\(producer\) {2}available/);
  const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  assert.ok(pkg.dependencies['@flowcast/producer-test'], 'saved in package.json');
  const registry = JSON.parse(fs.readFileSync(path.join(project, 'registry.json'), 'utf8'));
  assert.deepEqual(registry.components.map((c: { type: string }) => c.type), ['producer-test']);
  const schema = JSON.parse(fs.readFileSync(path.join(project, 'flow.schema.json'), 'utf8'));
  assert.match(JSON.stringify(schema), /"producer-test"/, 'flow.schema.json now knows the new type');
  const list = flowcast(['plugin', 'list']);
  assert.match(list.stdout, /@flowcast\/producer-test\s+0\.1\.0\s+producer-test\s+ok/);
});

test('plugin add waits its turn: a live lock holder refuses it, a dead one is taken over', () => {
  const lock = path.join(project, 'node_modules', '.cache', 'flowcast', 'install.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, String(process.pid)); // this test process: alive
  const state = projectState();
  const busy = flowcast(['plugin', 'add', path.join(REPO, 'plugins', 'muxer-ogg')]);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, new RegExp(`FC_PLUGIN_BUSY: another \`flowcast plugin add\` or \`remove\` \\(pid ${process.pid}\\) is changing this project`));
  assert.equal(projectState(), state);
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  fs.writeFileSync(lock, gone); // a process that has exited
  const removed = flowcast(['plugin', 'remove', 'nothing-installed']);
  assert.equal(removed.code, 2, 'the stale lock is taken over, so remove runs (and finds nothing to remove)');
  assert.match(removed.stderr, /FC_PLUGIN_NOT_INSTALLED/);
  assert.ok(!fs.existsSync(lock), 'the lock is released');
});

test('plugin add refuses what npm cannot install, unchanged', () => {
  assertRefused(path.join(plugins, 'no-such.tgz'), 'FC_PLUGIN_INSTALL', /npm install failed/);
});

test('plugin add refuses a package that is not a Flowcast plugin', () => {
  const dir = path.join(plugins, 'left-pad');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'left-pad-ish', version: '1.0.0' }));
  assertRefused(dir, 'FC_PLUGIN_NOT_A_PLUGIN', /no "flowcast" key/);
});

test('plugin add takes an npm name from the registry, and refuses a package that is not a plugin', () => {
  // is-number is an ordinary npm package: installed from the registry, then refused and rolled back.
  assertRefused('is-number@7.0.0', 'FC_PLUGIN_NOT_A_PLUGIN', /is-number has no "flowcast" key in its package\.json/);
});

test('plugin add refuses a malformed manifest, naming what to add', () => {
  assertRefused(plugin({ name: 'no-keyword', keywords: [], components: [descriptor('kw-tone')] }), 'FC_PLUGIN_MANIFEST', /add "flowcast-plugin" to "keywords"/);
});

test('plugin add refuses a property schema that does not compile', () => {
  const bad = descriptor('bad-schema-tone', { properties: { type: 'object', properties: { level: { type: 'numbr' } } } });
  assertRefused(plugin({ name: 'bad-schema', components: [bad] }), 'FC_PLUGIN_SCHEMA', /component "bad-schema-tone": property schema does not compile/);
});

test('plugin add refuses a manifest that throws on import', () => {
  assertRefused(plugin({ name: 'throws', manifestSource: `throw new Error('boom at import');` }), 'FC_PLUGIN_LOAD', /boom at import/);
});

test('plugin add refuses a plugin for another core major, naming both versions; --force installs it and says so', () => {
  const dir = plugin({ name: 'future', coreRange: '^9.0.0', components: [descriptor('future-tone')] });
  assertRefused(dir, 'FC_PLUGIN_CORE_RANGE', /future 1\.0\.0 targets @flowcast\/core \^9\.0\.0, but this core is 0\.1\.0/);
  const forced = flowcast(['plugin', 'add', dir, '--force']);
  assert.equal(forced.code, 0, `${forced.stdout}\n${forced.stderr}`);
  assert.match(forced.stderr, /warning: FC_PLUGIN_CORE_RANGE waived by --force/);
  assert.match(forced.stdout, /future-tone {2}\(producer\) {2}available/);
  assert.match(flowcast(['plugin', 'list']).stdout, /future\s+1\.0\.0\s+future-tone\s+ok: made for @flowcast\/core \^9\.0\.0, used with 0\.1\.0 because it was added with --force/);
  assert.match(fs.readFileSync(path.join(project, '.npmrc'), 'utf8'), /^legacy-peer-deps=true$/m, 'later npm installs must not trip over the forced peer range');
  assert.equal(flowcast(['plugin', 'remove', 'future']).code, 0);
  assert.ok(!fs.existsSync(path.join(project, '.npmrc')), 'the .npmrc lines go with the last forced plugin');
  assert.equal(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).flowcast, undefined);
});

test('plugin add refuses a plugin that brings its own reflect-metadata', () => {
  const dir = plugin({ name: 'own-copy', components: [descriptor('own-tone')], packageJson: { dependencies: { 'reflect-metadata': '0.1.14' } } });
  assertRefused(dir, 'FC_PLUGIN_HOST_COPY', /own-copy 1\.0\.0 brings its own copy of reflect-metadata .*two dependency-injection containers/);
});

test('plugin add refuses a type another package provides; with --force both work by PACKAGE/TYPE', () => {
  const dir = plugin({ name: 'acme-tones', components: [descriptor('producer-test')] });
  assertRefused(dir, 'FC_TYPE_COLLISION', /acme-tones provides the component type "producer-test", which @flowcast\/producer-test already provides/);
  const forced = flowcast(['plugin', 'add', dir, '--force']);
  assert.equal(forced.code, 0, `${forced.stdout}\n${forced.stderr}`);
  assert.match(forced.stderr, /warning: FC_TYPE_COLLISION waived by --force/);
  const flow = (type: string): string => {
    const file = path.join(project, `flow-${type.replace(/\W/g, '_')}.yaml`);
    fs.writeFileSync(file, `name: tones\ncomponents:\n  tone:\n    type: '${type}'\n`);
    return file;
  };
  const short = flowcast(['validate', flow('producer-test')]);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /:4:11: error FC_AMBIGUOUS_TYPE component "tone": component type "producer-test" is provided by @flowcast\/producer-test and acme-tones\. Fix: write "@flowcast\/producer-test\/producer-test" or "acme-tones\/producer-test"/);
  for (const qualified of ['acme-tones/producer-test', '@flowcast/producer-test/producer-test']) {
    const result = flowcast(['validate', flow(qualified)]);
    assert.doesNotMatch(result.stderr, /error/, result.stderr);
  }
  assert.equal(flowcast(['plugin', 'remove', 'acme-tones']).code, 0);
});

test('plugin add refuses a plugin whose GStreamer elements are missing here', () => {
  const dir = plugin({ name: 'exotic', components: [descriptor('exotic-tone', { elements: [{ element: 'nosuchelementhere', debian: 'gstreamer1.0-nosuch' }] })] });
  assertRefused(dir, 'FC_ELEMENT_MISSING', /component "exotic-tone": GStreamer element nosuchelementhere missing: apt-get install gstreamer1.0-nosuch/);
});

test('plugin remove uninstalls, names flows that used it, and refuses what is not installed', () => {
  fs.mkdirSync(path.join(project, 'flows'), { recursive: true });
  fs.writeFileSync(path.join(project, 'flows', 'tone.yaml'), 'name: tone\ncomponents:\n  tone:\n    type: producer-test\n');
  const removed = flowcast(['plugin', 'remove', '@flowcast/producer-test']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /removed @flowcast\/producer-test \(component types: producer-test\)/);
  assert.match(removed.stderr, /warning: flows\/tone\.yaml uses a component type of @flowcast\/producer-test/);
  assert.ok(!fs.existsSync(path.join(project, 'node_modules', '@flowcast', 'producer-test')));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(project, 'registry.json'), 'utf8')).components, []);
  const again = flowcast(['plugin', 'remove', '@flowcast/producer-test']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /FC_PLUGIN_NOT_INSTALLED: no plugin named "@flowcast\/producer-test"/);
});
