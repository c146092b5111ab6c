/**
 * The admin API of `flowcast serve`, with real HTTP clients: every route needs a token (none,
 * wrong, read on admin routes), a live change is applied, written to the flow file and survives a
 * restart of the server, a property that needs a restart is refused with 409, and the CLI works.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-admin-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function toneFlow(port: number): string {
  return `name: radio
components:
  tone:
    type: producer-test
    properties: { wave: sine, frequency: 440 }
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /radio.ogg, port: ${port}, bind-address: 127.0.0.1 }
`;
}

function cli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('admin API: tokens on every route, live change kept in the flow file across a restart of serve, 409 for a restart-only property, CLI', async () => {
  const streamPort = await freePort();
  const adminPort = await freePort();
  const flows = path.join(scratch, 'flows');
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(flows, 'radio.yaml'), toneFlow(streamPort));
  const env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort), FLOWCAST_ADMIN_URL: `http://127.0.0.1:${adminPort}` };
  const admin = cli(['token', 'create', 'ops', '--role', 'admin'], env).stdout.trim();
  const read = cli(['token', 'create', 'viewer', '--role', 'read'], env).stdout.trim();
  assert.match(admin, /^fct_[0-9a-f]{12}_/);
  const stored = fs.readFileSync(path.join(scratch, 'state', 'tokens.json'), 'utf8');
  assert.ok(!stored.includes(admin.slice(18)), 'only a hash of the token is stored');
  assert.equal(fs.statSync(path.join(scratch, 'state', 'tokens.json')).mode & 0o777, 0o600);

  const base = `http://127.0.0.1:${adminPort}`;
  const call = (method: string, route: string, token?: string, body?: unknown) =>
    fetch(base + route, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  let serve = startServe([flows], { cwd: REPO, env });
  try {
    await serve.waitFor(/flow "radio" is running/, 30_000);
    await serve.waitFor(/admin API and dashboard/, 10_000);

    // Every route of the API document, filled with real names.
    const document = (await (await call('GET', '/api/openapi.json', read)).json()) as { paths: Record<string, Record<string, { 'x-role': string }>> };
    const routes = Object.entries(document.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), role: op['x-role'], route: p.replace('{flow}', 'radio').replace('{component}', 'web').replace('{action}', 'restart').replace('{id}', '999') })));
    assert.ok(routes.length >= 12, `routes: ${routes.length}`);
    const wrong = `fct_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    for (const { method, route, role } of routes) {
      for (const [what, token] of [['no token', undefined], ['a wrong token', wrong], ['garbage', 'xyz']] as const) {
        const response = await call(method, route, token);
        if (route === '/metrics' && token === undefined) {
          assert.equal(response.status, 200, 'metrics are readable from the local machine without a token');
          continue;
        }
        assert.equal(response.status, 401, `${method} ${route} with ${what}`);
        const body = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'FC_ADMIN_AUTH');
        assert.ok(!JSON.stringify(body).includes('fct_'), 'nothing of the token comes back');
      }
      if (role === 'admin') {
        const response = await call(method, route, read);
        assert.equal(response.status, 403, `${method} ${route} with a read token`);
      }
      assert.equal((await call('GET', '/api/flows', read)).status, 200); // a valid token: this address is not slowed down any more
    }

    // Repeated failures from one address are slowed down (3 free, then 200 ms, 400 ms, …).
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const started = performance.now();
      assert.equal((await call('GET', '/api/flows', wrong)).status, 401);
      times.push(performance.now() - started);
    }
    assert.ok(times[4]! >= 180 && times[5]! >= 380, `the 6th failure in a row waited ${Math.round(times[5]!)} ms (all: ${times.map(Math.round).join(', ')})`);
    assert.equal((await call('GET', '/api/flows', read)).status, 200);

    // Unknown names: 404 with the known ones.
    const unknown = await call('GET', '/api/flows/nope', read);
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /there are: radio/);
    const noProperty = await call('PATCH', '/api/flows/radio/components/tone', admin, { nope: 1 });
    assert.equal(noProperty.status, 404);
    // Invalid input: coded 400/422.
    assert.equal((await call('PATCH', '/api/flows/radio/components/tone', admin, { frequency: -5 })).status, 422);
    assert.equal((await call('POST', '/api/flows/radio/explode', admin)).status, 400);
    const badFlow = await call('POST', '/api/flows', admin, { yaml: 'name: x\ncomponents:\n  a:\n    type: nope\n' });
    assert.equal(badFlow.status, 422);
    const diagnostics = ((await badFlow.json()) as { diagnostics: { code: string; line: number; col: number }[] }).diagnostics;
    assert.deepEqual(diagnostics.map((d) => [d.code, d.line]), [['FC_UNKNOWN_TYPE', 4]]);

    // A live change: applied, written to the file (previous kept), no restart by the file watcher.
    const live = await call('PATCH', '/api/flows/radio/components/web', admin, { 'client-limit': 7 });
    assert.equal(live.status, 200, await live.clone().text());
    assert.deepEqual(await live.json(), { live: true, restarted: false, changes: { 'client-limit': 7 }, file: path.relative(REPO, path.join(flows, 'radio.yaml')) });
    assert.match(fs.readFileSync(path.join(flows, 'radio.yaml'), 'utf8'), /client-limit: 7/);
    assert.ok(fs.existsSync(path.join(flows, 'radio.yaml.previous')));
    const notLive = await call('PATCH', '/api/flows/radio/components/tone', admin, { wave: 'square' });
    assert.equal(notLive.status, 409);
    assert.match(((await notLive.json()) as { error: { message: string } }).error.message, /needs a restart/);
    // The CLI: set, status.
    const set = cli(['set', 'radio', 'tone', 'frequency', '660'], { ...env, FLOWCAST_TOKEN: admin });
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, /applied live/);
    const status = cli(['status'], { ...env, FLOWCAST_TOKEN: read });
    assert.match(status.stdout, /radio\s+happy/);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // past the watcher's settle time
    assert.ok(!serve.logs().some((r) => r.msg === 'flow file changed: restarting its flow'), 'the live change did not restart the flow');
    const metrics = await (await call('GET', '/metrics', read)).text();
    assert.match(metrics, /flowcast_mount_listeners\{flow="radio",component="web",mount="\/radio.ogg"\} 0/);
    assert.match(metrics, /flowcast_component_mood\{flow="radio",component="tone",mood="happy"\} 1/);
    // Stop: it stays stopped across a restart of the server.
    assert.equal(cli(['flow', 'stop', 'radio'], { ...env, FLOWCAST_TOKEN: admin }).status, 0);
  } finally {
    await serve.stop();
  }
  const down = cli(['status'], { ...env, FLOWCAST_TOKEN: read });
  assert.equal(down.status, 1);
  assert.match(down.stderr, /FC_ADMIN_UNREACHABLE.*flowcast serve/);

  serve = startServe([flows], { cwd: REPO, env });
  try {
    await serve.waitFor(/admin API and dashboard/, 30_000);
    let flow = (await (await call('GET', '/api/flows/radio', read)).json()) as { mood: string; components: { name: string; properties: Record<string, unknown> }[] };
    assert.equal(flow.mood, 'sleeping');
    assert.equal(flow.components.find((c) => c.name === 'web')!.properties['client-limit'], 7);
    assert.equal(flow.components.find((c) => c.name === 'tone')!.properties.frequency, 660);
    assert.equal((await call('POST', '/api/flows/radio/start', admin)).status, 200);
    await serve.waitFor(/flow "radio" is running/, 30_000);
    flow = (await (await call('GET', '/api/flows/radio', read)).json()) as typeof flow;
    assert.equal(flow.components.find((c) => c.name === 'web')!.properties['client-limit'], 7, 'the change survived the restart');
  } finally {
    await serve.stop();
  }
});
