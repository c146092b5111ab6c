import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openRegistry } from '../src/registry/open-registry';
import { descriptor, tempProject, writePlugin } from './helpers/temp-plugin';

/** A plugin whose manifest module records each time it is loaded, so rescans can be counted. */
function countingPlugin(root: string, version = '1.0.0'): { dir: string; scans: () => number; pluginPath: string } {
  const plugins = path.join(root, 'plugins');
  const log = path.join(root, 'scan.log');
  const components = [descriptor('counted-tone')];
  const dir = writePlugin(plugins, {
    name: 'counted',
    version,
    manifestSource: `require('fs').appendFileSync(${JSON.stringify(log)}, 'x');\nmodule.exports = { default: { components: ${JSON.stringify(components)} } };`,
  });
  return { dir, pluginPath: plugins, scans: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').length : 0) };
}

const open = (projectRoot: string, pluginPath: string) => openRegistry({ projectRoot, coreVersion: '0.1.0', pluginPath });

test('the registry is scanned once, cached, and reused while nothing changed; FLOWCAST_PLUGIN_PATH packages are cached on this machine, never in registry.json', () => {
  const root = tempProject();
  const plugin = countingPlugin(root);
  const first = open(root, plugin.pluginPath);
  assert.equal(plugin.scans(), 1);
  assert.equal(first.find('counted-tone')?.package, 'counted');
  const saved = JSON.parse(fs.readFileSync(path.join(root, 'registry.json'), 'utf8'));
  assert.deepEqual(saved.components, [], 'registry.json (committed) holds no machine-local plugin');
  assert.deepEqual(saved.packages, []);
  const local = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', '.cache', 'flowcast', 'registry-local.json'), 'utf8'));
  assert.equal(local.components[0].type, 'counted-tone');
  assert.equal(local.packages[0].path, 'plugins/counted');

  const second = open(root, plugin.pluginPath);
  assert.equal(plugin.scans(), 1, 'an unchanged package is not scanned again');
  assert.deepEqual(second.find('counted-tone'), first.find('counted-tone'));
});

test('a changed mtime, version or path makes the package scanned again', () => {
  const root = tempProject();
  const plugin = countingPlugin(root);
  open(root, plugin.pluginPath);
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(path.join(plugin.dir, 'manifest.js'), later, later);
  open(root, plugin.pluginPath);
  assert.equal(plugin.scans(), 2, 'mtime change');

  const json = JSON.parse(fs.readFileSync(path.join(plugin.dir, 'package.json'), 'utf8'));
  json.version = '1.0.1';
  fs.writeFileSync(path.join(plugin.dir, 'package.json'), JSON.stringify(json));
  fs.utimesSync(path.join(plugin.dir, 'package.json'), later, later);
  const bumped = open(root, plugin.pluginPath);
  assert.equal(plugin.scans(), 3, 'version change');
  assert.equal(bumped.find('counted-tone')?.version, '1.0.1');

  const moved = path.join(root, 'elsewhere');
  fs.mkdirSync(moved);
  fs.renameSync(plugin.dir, path.join(moved, 'counted'));
  open(root, moved);
  assert.equal(plugin.scans(), 4, 'path change');
});

test('a plugin that throws on import is listed as broken and the others still load', () => {
  const root = tempProject();
  const plugins = path.join(root, 'plugins');
  writePlugin(plugins, { name: 'good', components: [descriptor('good-tone')] });
  writePlugin(plugins, { name: 'bad', manifestSource: "throw new Error('boom at import');" });
  const registry = open(root, plugins);
  assert.ok(registry.find('good-tone')?.available);
  const bad = registry.file.packages.find((p) => p.name === 'bad');
  assert.match(bad?.problem ?? '', /boom at import/);
});

test('a component needing a missing GStreamer element is unavailable, naming the Debian package', () => {
  const root = tempProject();
  const plugins = path.join(root, 'plugins');
  writePlugin(plugins, {
    name: 'needs-x264',
    components: [descriptor('h264-encoder', { elements: ['flowcastnosuchelement', { element: 'flowcastnosuchenc', debian: 'gstreamer1.0-flowcast-extra' }] })],
  });
  const component = open(root, plugins).find('h264-encoder');
  assert.equal(component?.available, false);
  assert.match(component?.reason ?? '', /flowcastnosuchelement, flowcastnosuchenc missing: apt-get install gstreamer1.0-flowcast-extra/);
});

test('a plugin for another core major is broken with both versions in the reason', () => {
  const root = tempProject();
  const plugins = path.join(root, 'plugins');
  writePlugin(plugins, { name: 'future', coreRange: '^2.0.0', components: [descriptor('future-tone')] });
  const registry = open(root, plugins);
  assert.equal(registry.find('future-tone'), undefined);
  assert.match(registry.file.packages[0]?.problem ?? '', /targets @flowcast\/core \^2\.0\.0, but this core is 0\.1\.0/);
});

test('invalid descriptors are refused with what is wrong', () => {
  const root = tempProject();
  const plugins = path.join(root, 'plugins');
  writePlugin(plugins, {
    name: 'sloppy',
    components: [
      descriptor('Bad_Name'),
      descriptor('bad-schema', { properties: { type: 'object', properties: { camelCase: { type: 'number' }, odd: { type: 'nonsense' } } } }),
    ],
  });
  const problem = open(root, plugins).file.packages[0]?.problem ?? '';
  assert.match(problem, /type must be kebab-case/);
  assert.match(problem, /property "camelCase" must be kebab-case/);
  assert.match(problem, /property schema does not compile/);
});

test('the bundled registry.json is what a fresh scan of the plugins gives', () => {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const fresh = openRegistry({ projectRoot: repo, coreVersion: '0.1.0', rescan: true, write: false });
  const committed = JSON.parse(fs.readFileSync(path.join(repo, 'registry.json'), 'utf8'));
  assert.deepEqual(
    fresh.list().map((c) => c.type),
    [
      'archive-http',
      'bouncer-htpasswd',
      'bouncer-http',
      'bouncer-ip',
      'bouncer-jwt',
      'bouncer-signed-url',
      'converter-overlay',
      'converter-scale',
      'converter-volume',
      'encoder-aac',
      'encoder-h264',
      'encoder-mp3',
      'encoder-opus',
      'encoder-theora',
      'encoder-vorbis',
      'encoder-vp8',
      'encoder-vp9',
      'muxer-mpegts',
      'muxer-ogg',
      'muxer-webm',
      'producer-alsa',
      'producer-file',
      'producer-test',
      'producer-v4l',
      'recorder-disk',
      'streamer-hls',
      'streamer-http',
      'switch',
    ],
  );
  assert.deepEqual(committed.components.map((c: { type: string }) => c.type), fresh.list().map((c) => c.type));
});
