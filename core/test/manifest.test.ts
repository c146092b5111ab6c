import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readPluginPackage } from '../src/registry/manifest';
import { tempProject, writePlugin } from './helpers/temp-plugin';

test('a package with the flowcast key, keyword and core peer range is a plugin', () => {
  const dir = writePlugin(tempProject(), { name: '@acme/flowcast-tone', version: '2.1.0' });
  const read = readPluginPackage(dir);
  assert.equal(read.kind, 'plugin');
  if (read.kind !== 'plugin') return;
  assert.equal(read.plugin.name, '@acme/flowcast-tone');
  assert.equal(read.plugin.version, '2.1.0');
  assert.equal(read.plugin.coreRange, '^0.1.0');
  assert.equal(read.plugin.manifestModule, path.join(dir, 'manifest.js'));
});

test('a package without the flowcast key is not a plugin', () => {
  const dir = path.join(tempProject(), 'lib');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'lib', version: '1.0.0', keywords: ['flowcast-plugin'] }));
  assert.deepEqual(readPluginPackage(dir), { kind: 'not-a-plugin' });
});

test('a plugin without the keyword is broken, and the reason names the fix', () => {
  const dir = writePlugin(tempProject(), { name: 'no-keyword', keywords: [] });
  const read = readPluginPackage(dir);
  assert.equal(read.kind, 'broken');
  assert.match(read.kind === 'broken' ? read.problem : '', /add "flowcast-plugin" to "keywords"/);
});

test('a plugin without a peer range on @flowcast/core is broken', () => {
  const dir = writePlugin(tempProject(), { name: 'no-peer' });
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  delete json.peerDependencies;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
  const read = readPluginPackage(dir);
  assert.match(read.kind === 'broken' ? read.problem : '', /peerDependencies.*@flowcast\/core/);
});

test('a flowcast key that does not name a manifest module is broken', () => {
  const dir = writePlugin(tempProject(), { name: 'bad-key' });
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  json.flowcast = true;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
  const read = readPluginPackage(dir);
  assert.match(read.kind === 'broken' ? read.problem : '', /"manifest"/);
});
