/**
 * The admin API's flow and listener routes with real clients: add a flow from YAML (started, its
 * file written), delete it (file kept as .previous), refuse to delete a flow whose file is outside
 * the flows directory, a restart-only property applied with ?restart=true, listeners listed (API
 * and CLI) and kicked, the event stream and the followed log.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'core', 'bin', 'flowcast.js');
const PLUGIN_PATH = [path.join(REPO, 'plugins'), path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault')].join(':');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-admin-flows-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function toneFlow(name: string, port: number): string {
  return `name: ${name}
components:
  tone:
    type: producer-test
  enc:
    type: encoder-vorbis
    eats: tone
  mux:
    type: muxer-ogg
    eats: enc
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /${name}.ogg, port: ${port}, bind-address: 127.0.0.1 }
`;
}

/** Read Server-Sent Events from a route until `enough` says so. */
function events(url: string, token: string, enough: (events: { event: string; data: unknown }[]) => boolean, timeoutMs = 15_000): Promise<{ event: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const seen: { event: string; data: unknown }[] = [];
    const request = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      assert.equal(response.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buffered = '';
      response.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n\n');
        buffered = parts.pop()!;
        for (const part of parts) {
          const event = /^event: (.*)$/m.exec(part)?.[1];
          const data = /^data: (.*)$/m.exec(part)?.[1];
          if (event && data) seen.push({ event, data: JSON.parse(data) });
        }
        if (enough(seen)) {
          clearTimeout(timer);
          request.destroy();
          resolve(seen);
        }
      });
    });
    request.on('error', () => undefined);
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`events: not enough within ${timeoutMs} ms: ${JSON.stringify(seen).slice(0, 1000)}`));
    }, timeoutMs);
  });
}

test('admin API: add and delete flows, ?restart=true, listeners and kick, events and logs', async () => {
  const port = await freePort();
  const adminPort = await freePort();
  const flows = path.join(scratch, 'flows');
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(flows, 'one.yaml'), toneFlow('one', port));
  // The flow outside the flows directory has a source that fails when told to (a file in its control directory).
  const outside = path.join(scratch, 'outside.yaml');
  const control = fs.mkdtempSync(path.join(scratch, 'control-'));
  fs.writeFileSync(outside, toneFlow('outside', port).replace('    type: producer-test\n', `    type: producer-fault\n    properties: { control: ${control} }\n`));
  const env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort), FLOWCAST_ADMIN_URL: `http://127.0.0.1:${adminPort}`, FLOWCAST_PLUGIN_PATH: PLUGIN_PATH, FLOWCAST_RESTART_MIN: '0.5' };
  const token = spawnSync(process.execPath, [CLI, 'token', 'create', 'ops', '--role', 'admin'], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`http://127.0.0.1:${adminPort}${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const serve = startServe([flows, outside], { cwd: REPO, env });
  try {
    await serve.waitFor(/flow "one" is running/, 30_000);
    await serve.waitFor(/flow "outside" is running/, 30_000);
    await serve.waitFor(/admin API and dashboard/, 10_000);

    // No event stream open yet: workers send no levels by themselves, a flow's levels are asked for.
    const one = await call('GET', '/api/flows/one');
    const oneLevels = one.body.levels as Record<string, { peak: number[] }>;
    assert.ok(oneLevels.tone?.peak.every((p) => p > -20), JSON.stringify(one.body.levels));

    // The event stream: the flows at once.
    const first = await events(`http://127.0.0.1:${adminPort}/api/events`, token, (seen) => seen.some((e) => e.event === 'flows') && seen.some((e) => e.event === 'levels'));
    const flowsEvent = first.find((e) => e.event === 'flows')!.data as { flows: { name: string; mood: string }[] };
    assert.deepEqual(flowsEvent.flows.map((f) => f.name).sort(), ['one', 'outside']);
    const levels = first.find((e) => e.event === 'levels')!.data as { flow: string; levels: Record<string, { peak: number[] }> };
    assert.ok(levels.levels.tone!.peak.every((p) => p > -20), JSON.stringify(levels));

    // A failing component: counted per component, its flow's pipeline restarts, and back to happy.
    fs.writeFileSync(path.join(control, 'fail'), '');
    await serve.waitFor(/flow "outside" is running \(pipeline start 2\)/, 30_000);
    const failed = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    assert.match(failed, /^flowcast_component_failures_total\{flow="outside",component="tone"\} 1$/m);
    assert.match(failed, /^flowcast_component_failures_total\{flow="outside",component="web"\} 0$/m);
    assert.match(failed, /^flowcast_flow_restarts_total\{flow="outside"\} 1$/m);
    const outsideFlow = (await call('GET', '/api/flows/outside')).body as { components: { name: string; failures: number }[] };
    assert.equal(outsideFlow.components.find((c) => c.name === 'tone')!.failures, 1);

    // The hour behind, for the dashboard's chart: a point from the start on.
    const history = (await call('GET', '/api/history')).body as { every: number; points: { time: number; flows: Record<string, { listeners: number }> }[] };
    assert.equal(history.every, 10);
    assert.ok(history.points.length >= 1 && history.points.at(-1)!.flows.one !== undefined, JSON.stringify(history));

    // Add a flow from YAML: written and started; a second time: 409.
    const added = await call('POST', '/api/flows', { yaml: toneFlow('two', port) });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.ok(fs.existsSync(path.join(flows, 'two.yaml')));
    await serve.waitFor(/flow "two" is running/, 30_000);
    assert.equal((await call('POST', '/api/flows', { yaml: toneFlow('two', port) })).status, 409);
    assert.equal((await call('POST', '/api/flows', { yaml: 'name: [' })).status, 422);
    assert.equal((await call('POST', '/api/flows', { yaml: 'x', extra: 1 })).status, 400);

    // Listeners: two connect to one's mount; listed by the API and the CLI; one is kicked.
    // A kicked listener is reset (RST): its client sees ECONNRESET.
    const clients = [0, 1].map(() => http.get({ host: '127.0.0.1', port, path: '/one.ogg', headers: { 'user-agent': 'admin-test/1.0' } }, (r) => r.on('error', () => undefined).resume()).on('error', () => undefined));
    let listeners: { id: number; component: string; userAgent: string; bytes: number; mount: string }[] = [];
    for (let i = 0; i < 50 && listeners.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listeners = (await call('GET', '/api/flows/one/listeners')).body.listeners as typeof listeners;
    }
    assert.equal(listeners.length, 2);
    assert.equal(listeners[0]!.userAgent, 'admin-test/1.0');
    assert.equal(listeners[0]!.mount, '/one.ogg');
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text(); // from this machine: no token needed
    assert.match(metrics, /^flowcast_mount_listeners\{flow="one",component="web",mount="\/one.ogg"\} 2$/m);
    assert.match(metrics, /^flowcast_mount_connects_total\{flow="one",component="web",mount="\/one.ogg"\} 2$/m);
    assert.match(metrics, /^flowcast_flow_mood\{flow="one",mood="happy"\} 1$/m);
    assert.match(metrics, /^flowcast_worker_resident_memory_bytes\{flow="one"\} [1-9]/m);
    assert.match(metrics, /^flowcast_manager_process_open_fds [1-9]/m);
    const listed = spawnSync(process.execPath, [CLI, 'listeners', '/one.ogg'], { cwd: REPO, env: { ...process.env, ...env, FLOWCAST_TOKEN: token }, encoding: 'utf8' });
    assert.equal(listed.stdout.trim().split('\n').length, 3, listed.stdout + listed.stderr);
    const closed = new Promise<void>((resolve) => clients.forEach((c) => c.on('close', () => resolve())));
    const kicked = spawnSync(process.execPath, [CLI, 'kick', 'one', 'web', String(listeners[0]!.id)], { cwd: REPO, env: { ...process.env, ...env, FLOWCAST_TOKEN: token }, encoding: 'utf8' });
    assert.equal(kicked.status, 0, kicked.stderr);
    assert.match(kicked.stdout, /disconnected/);
    await closed;
    assert.equal(((await call('GET', '/api/flows/one/listeners')).body.listeners as unknown[]).length, 1);
    assert.equal((await call('DELETE', `/api/flows/one/listeners/web/${listeners[0]!.id}`)).status, 404);
    assert.equal((await call('DELETE', `/api/flows/one/listeners/nope/1`)).status, 404);
    for (const c of clients) c.destroy();

    // A restart-only property, with ?restart=true: written, and the flow restarts with it.
    const restarted = await call('PATCH', '/api/flows/two/components/tone?restart=true', { wave: 'square' });
    assert.equal(restarted.status, 200, JSON.stringify(restarted.body));
    assert.equal(restarted.body.restarted, true);
    assert.match(fs.readFileSync(path.join(flows, 'two.yaml'), 'utf8'), /wave: square/);
    await serve.waitFor(/flow "two" is running/, 30_000, serve.stdout().lastIndexOf('flow "two" is running') + 1);

    // Delete: stopped, file kept as .previous; a flow from outside the flows directory is not deleted.
    assert.equal((await call('DELETE', '/api/flows/two')).status, 200);
    assert.ok(!fs.existsSync(path.join(flows, 'two.yaml')) && fs.existsSync(path.join(flows, 'two.yaml.previous')));
    assert.deepEqual(((await call('GET', '/api/flows')).body.flows as { name: string }[]).map((f) => f.name).sort(), ['one', 'outside']);
    const refused = await call('DELETE', '/api/flows/outside');
    assert.equal(refused.status, 400);
    assert.ok(fs.existsSync(outside));
    assert.equal((await call('GET', '/api/flows/..%2F..%2Fetc')).status, 400);

    // The log, followed.
    const follower = spawn(process.execPath, [CLI, 'logs', '-f'], { cwd: REPO, env: { ...process.env, ...env, FLOWCAST_TOKEN: token } });
    let followed = '';
    follower.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    await new Promise((r) => setTimeout(r, 1000));
    await call('POST', '/api/flows/one/restart');
    for (let i = 0; i < 100 && !/worker started/.test(followed.slice(followed.indexOf('restart') + 1)); i++) await new Promise((r) => setTimeout(r, 100));
    follower.kill();
    assert.match(followed, /"flow":"one".*"msg":"worker started"/);
  } finally {
    await serve.stop();
  }
});

test('admin API over TLS: FLOWCAST_ADMIN_CERT and FLOWCAST_ADMIN_KEY serve HTTPS (one without the other is refused at start); a hand edit not taken up is never overwritten', async (t) => {
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (openssl.status !== 0) return t.skip('openssl is not installed');
  const dir = fs.mkdtempSync(path.join(scratch, 'tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const port = await freePort();
  const adminPort = await freePort();
  const flows = path.join(dir, 'flows');
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(flows, 'tls.yaml'), toneFlow('tls', port));
  const env = { FLOWCAST_STATE_DIR: path.join(dir, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort) };
  const half = spawnSync(process.execPath, [CLI, 'serve', flows], { cwd: REPO, env: { ...process.env, ...env, FLOWCAST_ADMIN_CERT: cert }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(half.status, 2);
  assert.match(half.stderr, /FC_ADMIN_SETTINGS: FLOWCAST_ADMIN_CERT and FLOWCAST_ADMIN_KEY go together/);
  const token = spawnSync(process.execPath, [CLI, 'token', 'create', 'ops', '--role', 'admin'], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  // Without file watching, so that a hand edit stays untaken (as for a moment with it).
  const serve = startServe([flows], { cwd: REPO, env: { ...env, FLOWCAST_ADMIN_CERT: cert, FLOWCAST_ADMIN_KEY: key, FLOWCAST_WATCH: '0' } });
  const call = (method: string, route: string, body?: unknown): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const request = https.request(`https://127.0.0.1:${adminPort}${route}`, { method, ca: fs.readFileSync(cert), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (r) => {
        let text = '';
        r.on('data', (d: Buffer) => (text += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode!, body: text }));
      });
      request.on('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  try {
    await serve.waitFor(/admin API and dashboard: https:\/\/127\.0\.0\.1/, 30_000);
    const answer = await call('GET', '/api/flows');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /"name":"tls"/);

    // A hand edit the server has not taken up is never overwritten by a change through the API.
    await serve.waitFor(/flow "tls" is running/, 30_000);
    const edited = fs.readFileSync(path.join(flows, 'tls.yaml'), 'utf8') + '# edited by hand\n';
    fs.writeFileSync(path.join(flows, 'tls.yaml'), edited);
    const refused = await call('PATCH', '/api/flows/tls/components/web', { 'client-limit': 8 });
    assert.equal(refused.status, 409, refused.body);
    assert.match(refused.body, /FC_FLOW_FILE_CHANGED/);
    assert.equal(fs.readFileSync(path.join(flows, 'tls.yaml'), 'utf8'), edited);
  } finally {
    await serve.stop();
  }
});
