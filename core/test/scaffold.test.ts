import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SCAFFOLD_KINDS } from '../src/api/component';
import { pluginNewCommand, type PluginNewOptions } from '../src/cli/commands/plugin-new';
import type { CommandIO } from '../src/cli/io';
import { className, defaultType, descriptorName, kindFromType, resolveNames } from '../src/scaffold/names';
import { tarballName } from '../src/scaffold/package-files';
import { peerRangeFor, prepareScaffold, writeScaffold } from '../src/scaffold/scaffold';
import { packCore } from '../src/scaffold/vendor-core';
import { CORE_VERSION } from '../src/version';

const repo = path.resolve(__dirname, '..', '..', '..');

function tempDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-scaffold-'));
}

function captureIO(cwd: string): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {}, cwd, stdout, stderr };
}

/** Every file under a directory, relative, sorted. */
function listFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return (fs.readdirSync(directory, { recursive: true }) as string[]).sort();
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  // Without NODE_TEST_CONTEXT, a `node --test` started from inside a test runs its files itself.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

test('the type comes from the package name, the kind from the type, the directory from the name', () => {
  assert.equal(defaultType('@flowcast/encoder-opus'), 'encoder-opus');
  assert.equal(defaultType('flowcast-encoder-flac'), 'encoder-flac');
  assert.equal(defaultType('@acme/flowcast-muxer-mkv'), 'muxer-mkv');
  assert.equal(defaultType('encoder-flac'), 'encoder-flac');
  assert.equal(kindFromType('encoder-flac'), 'encoder');
  assert.equal(kindFromType('consumer-meter'), 'consumer');
  assert.equal(kindFromType('flac'), undefined);
  assert.equal(kindFromType('encoders-flac'), undefined);
  assert.equal(className('encoder-flac'), 'EncoderFlac');
  assert.equal(className('producer-v4l2-cam'), 'ProducerV4l2Cam');
  assert.equal(descriptorName('encoder-flac'), 'encoderFlac');

  const cwd = tempDirectory();
  const scoped = resolveNames('@acme/encoder-flac', {}, cwd);
  assert.deepEqual(scoped, {
    packageName: '@acme/encoder-flac',
    type: 'encoder-flac',
    kind: 'encoder',
    directory: path.join(cwd, 'encoder-flac'),
    className: 'EncoderFlac',
    descriptorName: 'encoderFlac',
  });
  assert.equal(resolveNames('flowcast-encoder-flac', {}, cwd).directory, path.join(cwd, 'flowcast-encoder-flac'));
  const overridden = resolveNames('flowcast-flac', { type: 'lossless', kind: 'encoder', dir: 'x/y' }, cwd);
  assert.deepEqual([overridden.type, overridden.kind, overridden.directory, overridden.className], ['lossless', 'encoder', path.join(cwd, 'x', 'y'), 'Lossless']);
  // An existing empty directory is fine.
  fs.mkdirSync(path.join(cwd, 'empty'));
  assert.equal(resolveNames('producer-tone', { dir: 'empty' }, cwd).directory, path.join(cwd, 'empty'));
});

test('the peer range is ^0.MINOR.0 while core is 0.x, ^MAJOR.0.0 from 1.0', () => {
  assert.equal(peerRangeFor('0.1.0'), '^0.1.0');
  assert.equal(peerRangeFor('0.3.7'), '^0.3.0');
  assert.equal(peerRangeFor('1.4.2'), '^1.0.0');
  assert.equal(peerRangeFor('2.0.0'), '^2.0.0');
});

test('plugin new refuses a bad name, type, kind or directory with FC_SCAFFOLD and writes nothing', async () => {
  const cwd = tempDirectory();
  fs.mkdirSync(path.join(cwd, 'taken'));
  fs.writeFileSync(path.join(cwd, 'taken', 'notes.txt'), 'mine');
  fs.writeFileSync(path.join(cwd, 'a-file'), 'not a directory');
  const before = listFiles(cwd);
  const cases: [string | undefined, PluginNewOptions, RegExp][] = [
    [undefined, {}, /give the npm package name/],
    ['Encoder_Flac', {}, /"Encoder_Flac" is not a valid npm package name/],
    ['@acme/', {}, /"@acme\/" is not a valid npm package name/],
    ['flowcast-encoder.flac', {}, /the component type "encoder.flac" \(from the package name "flowcast-encoder.flac"\) is not kebab-case.*--type/],
    ['flowcast-encoder-flac', { type: 'EncoderFlac' }, /the component type "EncoderFlac" is not kebab-case/],
    ['flowcast-flac', {}, /the type "flac" does not say which kind of component it is\. Fix: pass --kind with one of producer, converter, encoder, muxer, consumer/],
    ['flowcast-encoder-flac', { kind: 'decoder' }, /unknown kind "decoder"/],
    ['flowcast-encoder-flac', { dir: 'taken' }, /taken is not empty\. Fix: choose an empty or new directory with --dir; nothing was written/],
    ['flowcast-encoder-flac', { dir: 'a-file' }, /a-file exists and is not a directory/],
    ['flowcast-encoder-flac', { core: ' ' }, /--core needs an npm version range/],
  ];
  for (const [name, options, expected] of cases) {
    const io = captureIO(cwd);
    const code = await pluginNewCommand(name, options, io);
    assert.equal(code, 2, `${name} ${JSON.stringify(options)}: ${io.stderr.join('\n')}`);
    assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
    assert.match(io.stderr[0]!, /^FC_SCAFFOLD: /);
    assert.match(io.stderr[0]!, expected);
    assert.deepEqual(io.stdout, []);
    assert.deepEqual(listFiles(cwd), before, `${name} ${JSON.stringify(options)} wrote something`);
  }
  assert.equal(fs.readFileSync(path.join(cwd, 'taken', 'notes.txt'), 'utf8'), 'mine');
});

test('a failing npm pack of core leaves nothing behind', () => {
  const cwd = tempDirectory();
  const names = prepareScaffold('flowcast-encoder-flac', {}, cwd);
  assert.throws(
    () =>
      writeScaffold(names, {}, () => {
        throw new Error('npm is broken');
      }),
    /npm is broken/,
  );
  assert.deepEqual(listFiles(cwd), []);
});

test('package.json: a plugin of its own, with the peer range of this core and core from a vendored tarball', () => {
  const cwd = tempDirectory();
  const packed = path.join(tempDirectory(), `flowcast-core-${CORE_VERSION}.tgz`);
  fs.writeFileSync(packed, 'a tarball');
  const result = writeScaffold(prepareScaffold('@acme/flowcast-encoder-flac', {}, cwd), {}, () => packed);
  const directory = path.join(cwd, 'flowcast-encoder-flac');
  assert.equal(result.names.directory, directory);
  assert.deepEqual(result.files, [
    'package.json',
    'tsconfig.json',
    '.gitignore',
    'README.md',
    'src/descriptor.ts',
    'src/encoder-flac.ts',
    'src/index.ts',
    'test/encoder-flac.test.ts',
    `vendor/flowcast-core-${CORE_VERSION}.tgz`,
  ]);
  assert.equal(fs.readFileSync(path.join(directory, 'vendor', `flowcast-core-${CORE_VERSION}.tgz`), 'utf8'), 'a tarball');
  const json = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8'));
  assert.equal(json.name, '@acme/flowcast-encoder-flac');
  assert.equal(json.version, '0.1.0');
  assert.deepEqual(json.keywords, ['flowcast-plugin']);
  assert.deepEqual(json.flowcast, { manifest: 'dist/src/index.js' });
  assert.deepEqual(json.files, ['dist/src', 'README.md']);
  assert.deepEqual(json.peerDependencies, { '@flowcast/core': peerRangeFor(CORE_VERSION) });
  assert.deepEqual(json.devDependencies, { '@flowcast/core': `file:vendor/flowcast-core-${CORE_VERSION}.tgz`, '@types/node': '^20', typescript: '~5.9.3' });
  assert.equal(json.dependencies, undefined, 'a plugin must not depend on core, tsyringe or reflect-metadata');
  assert.deepEqual(json.scripts, { build: 'tsc -p .', test: 'npm run build && node --test dist/test/*.test.js', prepack: 'npm run build' });
  const tsconfig = JSON.parse(fs.readFileSync(path.join(directory, 'tsconfig.json'), 'utf8'));
  assert.equal(tsconfig.extends, undefined, 'standalone: nothing points into a Flowcast checkout');
  assert.deepEqual(
    [tsconfig.compilerOptions.strict, tsconfig.compilerOptions.experimentalDecorators, tsconfig.compilerOptions.emitDecoratorMetadata, tsconfig.compilerOptions.module, tsconfig.compilerOptions.outDir],
    [true, true, true, 'node16', 'dist'],
  );
  assert.match(fs.readFileSync(path.join(directory, '.gitignore'), 'utf8'), /^node_modules\/$/m);
  assert.doesNotMatch(fs.readFileSync(path.join(directory, '.gitignore'), 'utf8'), /vendor/);
  const readme = fs.readFileSync(path.join(directory, 'README.md'), 'utf8');
  assert.match(readme, /^# @acme\/flowcast-encoder-flac$/m);
  assert.match(readme, /npx flowcast plugin add \/path\/to\/acme-flowcast-encoder-flac-0\.1\.0\.tgz/);
  assert.equal(tarballName('@acme/flowcast-encoder-flac'), 'acme-flowcast-encoder-flac-0.1.0.tgz');
  // Type-dependent names.
  assert.match(fs.readFileSync(path.join(directory, 'src', 'descriptor.ts'), 'utf8'), /export const encoderFlac = defineComponent\(\{\n {2}type: 'encoder-flac',\n {2}kind: 'encoder',/);
  const implementation = fs.readFileSync(path.join(directory, 'src', 'encoder-flac.ts'), 'utf8');
  assert.match(implementation, /export default class EncoderFlac implements Component/);
  assert.match(implementation, /constructor\(@inject\(TOKENS\.properties\) private readonly props: Properties\)/);
});

test('plugin new prints what it wrote and the next commands', async () => {
  const cwd = tempDirectory();
  const io = captureIO(cwd);
  assert.equal(await pluginNewCommand('@acme/consumer-meter', { core: '^0.1.0' }, io), 0, io.stderr.join('\n'));
  const text = io.stdout.join('\n');
  assert.match(text, /^Wrote the consumer plugin @acme\/consumer-meter \(component type "consumer-meter"\) in consumer-meter\/:$/m);
  assert.match(text, /^ {2}src\/consumer-meter\.ts$/m);
  assert.match(text, /cd consumer-meter && npm install && npm test/);
  assert.match(text, /npm pack/);
  assert.ok(text.includes(`flowcast plugin add ${path.join(cwd, 'consumer-meter', 'acme-consumer-meter-0.1.0.tgz')}`), text);
  assert.equal(JSON.parse(fs.readFileSync(path.join(cwd, 'consumer-meter', 'package.json'), 'utf8')).devDependencies['@flowcast/core'], '^0.1.0');
  assert.equal(fs.existsSync(path.join(cwd, 'consumer-meter', 'vendor')), false);
});

test('npm pack of the running core gives the tarball a new plugin installs', () => {
  const tarball = packCore();
  try {
    assert.equal(path.basename(tarball), `flowcast-core-${CORE_VERSION}.tgz`);
    assert.ok(fs.statSync(tarball).size > 10_000);
  } finally {
    fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
  }
});

test('every kind compiles as generated and passes its own tests against this core', async () => {
  // The generated packages find this checkout's core, typescript and @types/node through one
  // node_modules above them, instead of an `npm install` each (test/plugin-authoring does that).
  const parent = tempDirectory();
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(parent, 'node_modules'), 'dir');
  const tsc = require.resolve('typescript/bin/tsc');
  for (const kind of SCAFFOLD_KINDS) {
    const name = `@acme/${kind}-example`;
    const io = captureIO(parent);
    assert.equal(await pluginNewCommand(name, { core: '^0.1.0' }, io), 0, io.stderr.join('\n'));
    const directory = path.join(parent, `${kind}-example`);
    const build = await run(process.execPath, [tsc, '-p', '.'], directory);
    assert.equal(build.code, 0, `${kind}: tsc failed\n${build.output}`);
    assert.ok(fs.existsSync(path.join(directory, 'dist', 'src', 'index.js')), `${kind}: no dist/src/index.js`);
    const tests = await run(process.execPath, ['--test', path.join('dist', 'test', `${kind}-example.test.js`)], directory);
    assert.equal(tests.code, 0, `${kind}: its generated tests failed\n${tests.output}`);
    assert.match(tests.output, /# pass 3\n# fail 0/, `${kind}\n${tests.output}`);
  }
});
