import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const cli = (...args: string[]) => runCli(args, { cwd: REPO });

test('flowcast registry lists the bundled components, all available', async () => {
  const { code, stdout } = await cli('registry');
  assert.equal(code, 0);
  const types = stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0]);
  // The list itself is checked once, against a fresh scan of plugins/, in core/test/registry-cache.test.ts.
  const bundled = (JSON.parse(fs.readFileSync(path.join(REPO, 'registry.json'), 'utf8')) as { components: { type: string }[] }).components.map((c) => c.type);
  assert.ok(bundled.length > 20, `registry.json lists ${bundled.length} components`);
  assert.deepEqual(types, bundled);
  assert.equal((stdout.match(/ available$/gm) ?? []).length, bundled.length);
});

test('flowcast inspect encoder-vorbis shows eaters, feeders and each property like gst-inspect', async () => {
  const { code, stdout } = await cli('inspect', 'encoder-vorbis');
  assert.equal(code, 0);
  assert.match(stdout, /^Component: encoder-vorbis$/m);
  assert.match(stdout, /Package: +@flowcast\/encoder-vorbis 0\.1\.0/);
  assert.match(stdout, /default +required, one feed; accepts audio\/x-raw/);
  assert.match(stdout, /default +produces audio\/x-vorbis/);
  assert.match(stdout, /quality +: Variable-bitrate quality.*\n +number\. Range: -0\.1 - 1\. Default: 0\.3/);
  assert.match(stdout, /bitrate +: .*\n +integer\. Range: 8000 - 250000\. Unit: bits\/s\. No default/);
  assert.match(stdout, /Set at most one of: quality, bitrate/);
});

test('flowcast inspect of an unknown type fails naming the package when known', async () => {
  // A project with no plugins at all: encoder-opus is an official plugin it does not have.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-empty-'));
  fs.writeFileSync(path.join(empty, 'package.json'), JSON.stringify({ name: 'empty', version: '1.0.0' }));
  const { code, stderr } = await runCli(['inspect', 'encoder-opus'], { cwd: empty });
  assert.equal(code, 2);
  assert.match(stderr, /FC_UNKNOWN_TYPE: no component type "encoder-opus"; it is provided by @flowcast\/encoder-opus/);
});

test('every command has --help, and unknown commands fail', async () => {
  for (const command of ['run', 'validate', 'registry', 'inspect', 'schema', 'plugin', 'devices', 'latency']) {
    const { code, stdout } = await cli(command, '--help');
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^Usage: flowcast ${command}`));
  }
  const top = await cli('--help');
  assert.match(top.stdout, /Commands:\n +run \[FILE\]/);
  const bad = await cli('frobnicate');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
});

test('flowcast registry --check agrees with the committed registry.json', async () => {
  const { code, stdout } = await cli('registry', '--check');
  assert.equal(code, 0);
  assert.match(stdout, /registry\.json is up to date \(28 components\)/);
});
