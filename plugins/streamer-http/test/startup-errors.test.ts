/**
 * Flows whose streamers cannot run: two on one port and mount, or header text that would break
 * the response (caught by validation, before anything starts), and a port something else already
 * holds (caught when the streamer starts).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, isPortOpen, runCli, writeFlow } from '@flowcast/core/testing';
import { ROOT, sleep, toneFlow } from './support';

/** The 1-based line and column of the `mount` value of the `nth` streamer in `yaml`. */
function mountPosition(yaml: string, nth: number): { line: number; col: number } {
  const lines = yaml.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.indexOf('mount: ');
    if (at < 0) continue;
    if (++seen === nth) return { line: i + 1, col: at + 'mount: '.length + 1 };
  }
  throw new Error('no such mount');
}

async function conflictingFlow(): Promise<{ file: string; yaml: string; port: number }> {
  const port = await freePort();
  const yaml = toneFlow([
    { name: 'web-a', port, mount: '/live.ogg' },
    { name: 'web-b', port, mount: '/live.ogg' },
  ]);
  return { file: writeFlow(yaml), yaml, port };
}

test('flowcast validate: two streamers on the same port and mount is FC_CLAIM_CONFLICT on the second one\'s mount, exit 2', { timeout: 20_000 }, async () => {
  const { file, yaml, port } = await conflictingFlow();
  const result = await runCli(['validate', '--project', ROOT, path.basename(file)], { cwd: path.dirname(file), timeoutMs: 15_000 });
  assert.equal(result.code, 2, result.stderr);
  const { line, col } = mountPosition(yaml, 2);
  const conflicts = result.stderr.split('\n').filter((l) => l.includes('FC_CLAIM_CONFLICT'));
  assert.equal(conflicts.length, 1, result.stderr);
  const message = conflicts[0]!;
  assert.ok(message.startsWith(`flow.yaml:${line}:${col}: error FC_CLAIM_CONFLICT`), message);
  assert.match(message, /component "web-b"/);
  assert.match(message, /property "mount"/);
  // It says what is in conflict and with whom.
  assert.match(message, /"web-a"/);
  assert.ok(message.includes(String(port)), message);
  assert.ok(message.includes('/live.ogg'), message);
  assert.match(result.stdout, /flow\.yaml: 1 error/);
});

test('flowcast run of that flow exits 2 and never opens the port', { timeout: 20_000 }, async () => {
  const { file, port } = await conflictingFlow();
  const run = runCli(['run', '--project', ROOT, file], { cwd: ROOT, timeoutMs: 15_000 });
  // Watch the port for as long as the command runs.
  let finished = false;
  let opened = false;
  const watcher = (async () => {
    while (!finished) {
      if (await isPortOpen(port)) opened = true;
      await sleep(20);
    }
  })();
  const result = await run;
  finished = true;
  await watcher;
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /FC_CLAIM_CONFLICT/);
  assert.match(result.stderr, /not started/);
  assert.doesNotMatch(result.stdout, /is running/);
  assert.equal(opened, false, 'the port was opened while the command ran');
  assert.equal(await isPortOpen(port), false);
});

test('a port already in use: flowcast run exits 1 promptly with FC_PORT_IN_USE and the port number', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const occupier = net.createServer((socket) => socket.end('occupied\n'));
  await new Promise<void>((resolve, reject) => {
    occupier.once('error', reject);
    occupier.listen({ port, host: '0.0.0.0' }, resolve);
  });
  try {
    const file = writeFlow(toneFlow([{ name: 'web', port, mount: '/live.ogg' }]));
    const started = Date.now();
    const result = await runCli(['run', '--project', ROOT, file], { cwd: ROOT, timeoutMs: 15_000 });
    const elapsed = Date.now() - started;
    assert.equal(result.code, 1, `exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /FC_PORT_IN_USE/);
    assert.match(result.stderr, new RegExp(`\\b${port}\\b`));
    assert.doesNotMatch(result.stdout, /is running/);
    assert.ok(elapsed < 5000, `took ${elapsed} ms to give up`);
    // The port still belongs to its owner.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.equal(reply, 'occupied\n');
  } finally {
    await new Promise<void>((resolve) => occupier.close(() => resolve()));
  }
});

test('a station-name or station-url that would add a header line is refused by validate, in words, at its line', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const yaml = toneFlow([{ name: 'web', port, mount: '/live.ogg', more: 'station-name: "Radio\\r\\nX-Evil: 1", station-url: "https://radio.example/ x"' }]);
  const file = writeFlow(yaml);
  const result = await runCli(['validate', '--project', ROOT, path.basename(file)], { cwd: path.dirname(file), timeoutMs: 15_000 });
  assert.equal(result.code, 2, result.stderr);
  const line = yaml.split('\n').findIndex((l) => l.includes('station-name')) + 1;
  const errors = result.stderr.split('\n').filter((l) => l.includes('FC_PROPERTY_INVALID'));
  assert.equal(errors.length, 2, result.stderr);
  assert.match(errors[0]!, new RegExp(`^flow\\.yaml:${line}:\\d+: error FC_PROPERTY_INVALID component "web" property "station-name": must be one line of text`));
  assert.match(errors[1]!, /property "station-url": must be an http:\/\/ or https:\/\/ URL without spaces/);
});
