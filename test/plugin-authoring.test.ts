import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { decodes, discover, freePort, readStream } from '@flowcast/core/testing';

/**
 * The plugin author's path, end to end, as someone outside this repository would walk it:
 * `flowcast plugin new` → `npm install` → `npm test` → `npm pack` → `flowcast plugin add` into a
 * fresh project that has only core's tarball → a flow using the new plugin streaming, decoded by
 * GStreamer. Everything happens in a temporary directory; npm talks to the registry.
 */

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');
const STEP_TIMEOUT_MS = 240_000;

/**
 * The environment of someone at a shell: none of the npm_* variables of a surrounding `npm test`
 * (they would point npm at this repository), and no NODE_TEST_CONTEXT (with it, `node --test`
 * started by the plugin's own `npm test` would not run its files).
 */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_TEST_CONTEXT' && key !== 'INIT_CWD' && key !== 'FLOWCAST_PLUGIN_PATH') env[key] = value;
  }
  return env;
}

interface Result {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnvironment() });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function must(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} (in ${cwd}) failed:\n${result.output}`);
  return result.output;
}

/** `npm pack` a package directory into `destination`; the tarball's path. */
async function pack(directory: string, destination: string): Promise<string> {
  const output = await must('npm', ['pack', '--json', '--pack-destination', destination], directory);
  const json = JSON.parse(output.slice(output.indexOf('[\n'))) as { filename: string }[];
  const tarball = path.join(destination, path.basename(json[0]!.filename));
  assert.ok(fs.existsSync(tarball), `npm pack wrote no ${tarball}:\n${output}`);
  return tarball;
}

/** The fresh project's own `flowcast run`, resolved once the flow plays. */
function startProjectFlow(project: string, file: string): Promise<{ urls: string[]; stop: () => Promise<number | null>; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(project, 'node_modules', '.bin', 'flowcast'), ['run', file], { cwd: project, env: { ...cleanEnvironment(), FLOWCAST_LOG: 'json' } });
    let output = '';
    let stdout = '';
    let running = false;
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the flow did not start within 60 s:\n${output}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      stdout += d.toString();
      if (running || !/is running\n/.test(stdout)) return;
      running = true;
      clearTimeout(timer);
      resolve({
        urls: [...stdout.matchAll(/(https?:\/\/\S+)/g)].map((m) => m[1]!),
        output: () => output,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGINT');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      if (running) return;
      clearTimeout(timer);
      reject(new Error(`flowcast run exited with ${code} before the flow was running:\n${output}`));
    });
  });
}

test('plugin author: plugin new → npm install → npm test → npm pack → plugin add → the new encoder streams', { timeout: 900_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-authoring-'));
  const tarballs = path.join(work, 'tarballs');
  fs.mkdirSync(tarballs);
  const timings: [string, number][] = [];
  const timed = async <T>(step: string, action: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await action();
    timings.push([step, (performance.now() - started) / 1000]);
    return value;
  };

  // The project an operator already has: core from its tarball, and the bundled plugins added.
  const project = path.join(work, 'radio');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'radio', version: '1.0.0', private: true }, null, 2));
  const coreTarball = await pack(path.join(REPO, 'core'), tarballs);
  await timed('(project) npm install core', () => must('npm', ['install', coreTarball], project));
  for (const name of ['producer-test', 'muxer-ogg', 'streamer-http']) {
    const tarball = await pack(path.join(REPO, 'plugins', name), tarballs);
    await timed(`(project) plugin add ${name}`, () => must('npx', ['flowcast', 'plugin', 'add', tarball], project));
  }
  const projectJson = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(projectJson.dependencies).sort(), ['@flowcast/core', '@flowcast/muxer-ogg', '@flowcast/producer-test', '@flowcast/streamer-http']);

  // The author's path, timed from here.
  const plugin = path.join(work, 'flowcast-encoder-flac');
  const created = await timed('plugin new', () => must(process.execPath, [CLI, 'plugin', 'new', 'flowcast-encoder-flac'], work));
  assert.match(created, /cd flowcast-encoder-flac && npm install && npm test/);
  assert.ok(fs.existsSync(path.join(plugin, 'vendor')), 'core is vendored as a tarball');
  await timed('npm install', () => must('npm', ['install'], plugin));
  const tested = await timed('npm test', () => must('npm', ['test'], plugin));
  assert.match(tested, /# pass 3\n# fail 0/, tested);
  const pluginTarball = await timed('npm pack', () => pack(plugin, tarballs));
  assert.equal(path.basename(pluginTarball), 'flowcast-encoder-flac-0.1.0.tgz');
  const added = await timed('plugin add', () => must('npx', ['flowcast', 'plugin', 'add', pluginTarball], project));
  assert.match(added, /added flowcast-encoder-flac 0\.1\.0/);
  assert.match(added, /encoder-flac +\(encoder\) +available/);

  const port = await freePort();
  const flowFile = path.join(project, 'lossless.yaml');
  fs.writeFileSync(
    flowFile,
    `name: lossless
components:
  tone:
    type: producer-test
  enc:
    type: encoder-flac
    eats: tone
    properties: { quality: 8 }
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /lossless.ogg, port: ${port}, bind-address: 127.0.0.1 }
`,
  );
  const flow = await timed('flowcast run until playing', () => startProjectFlow(project, flowFile));
  const authorSeconds = timings.filter(([step]) => !step.startsWith('(project)')).reduce((sum, [, seconds]) => sum + seconds, 0);
  try {
    const url = `http://127.0.0.1:${port}/lossless.ogg`;
    assert.deepEqual(flow.urls, [url], flow.output());
    const { status, headers, body } = await readStream(url, { seconds: 3 });
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/ogg');
    const info = await discover(body);
    assert.match(info.report, /FLAC/, info.report);
    assert.equal(info.sampleRate, 44100, info.report);
    assert.equal(info.channels, 2, info.report);
    const decoded = await decodes(body, 'oggdemux ! flacparse ! flacdec');
    assert.ok(decoded.ok, decoded.output);
  } finally {
    assert.equal(await flow.stop(), 0, flow.output());
  }

  for (const [step, seconds] of timings) t.diagnostic(`${step.padEnd(34)} ${seconds.toFixed(1)} s`);
  t.diagnostic(`author's path (plugin new → npm install → npm test → npm pack → plugin add → flow playing): ${authorSeconds.toFixed(1)} s`);
  fs.rmSync(work, { recursive: true, force: true });
});
