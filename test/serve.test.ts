import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { decodes, freePort, isPortOpen, oggPages, oggSequenceGaps, readStream, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-serve-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function toneFlow(name: string, port: number, mount = `/${name}.ogg`): string {
  return `name: ${name}
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
    properties: { mount: ${mount}, port: ${port}, bind-address: 127.0.0.1 }
`;
}

function directory(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'flows-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The data pages after the stream headers and the burst's start: what must be continuous. */
function dataGaps(body: Buffer): { seconds: number; gaps: string[] } {
  const pages = oggPages(body).filter((p) => p.granule > 0n);
  const seconds = pages.length > 1 ? Number(pages[pages.length - 1]!.granule - pages[0]!.granule) / 44100 : 0;
  return { seconds, gaps: oggSequenceGaps(pages) };
}

test('serve: an invalid flow and a conflicting one are refused, the valid ones start and share one port (the porter); kill -9 of a worker touches no other flow, its mount answers 503 meanwhile, and its flow comes back; SIGTERM stops all', async () => {
  // Both flows on one port, at different mounts: the manager's porter routes each connection.
  const portA = await freePort();
  const portB = portA;
  const dir = directory({
    'a.yaml': toneFlow('flow-a', portA),
    'b.yaml': toneFlow('flow-b', portB),
    'bad.yaml': 'name: bad\ncomponents:\n  tone:\n    type: producer-test\n    properties: { frequencyy: 440 }\n',
    'c-dup.yaml': toneFlow('flow-c', portA, '/flow-a.ogg'),
  });
  const serve = startServe([dir], { cwd: REPO });
  try {
    await serve.waitFor(/flow "flow-a" is running/);
    await serve.waitFor(/flow "flow-b" is running/);
    assert.match(serve.stderr(), /bad\.yaml:5:19: error FC_PROPERTY_INVALID component "tone" property "frequencyy": unknown property/);
    assert.match(serve.stderr(), /c-dup\.yaml: error FC_CLAIM_CONFLICT: HTTP mount with port \d+ and mount "\/flow-a\.ogg" \(component "web"\) is already taken by component "web" of flow "flow-a" in [^\n]*a\.yaml/);
    assert.doesNotMatch(serve.stdout(), /flow "flow-c" is running/);

    const pidA = serve.workerPid('flow-a')!;
    const listenerB = readStream(`http://127.0.0.1:${portB}/flow-b.ogg`, { seconds: 6 });
    await new Promise((r) => setTimeout(r, 1000));
    const mark = serve.stdout().length;
    process.kill(pidA, 'SIGKILL');
    await serve.waitForLog((r) => r.msg === 'mood' && r.flow === 'flow-a' && r.mood === 'sad' && /killed by SIGKILL/.test(String(r.reason)), 5000);
    const killedAt = Date.now();
    // Its mount is not refused while the flow is being replaced: 503 with Retry-After.
    const meanwhile = await readStream(`http://127.0.0.1:${portA}/flow-a.ogg`, { seconds: 1 });
    assert.equal(meanwhile.status, 503);
    assert.equal(meanwhile.headers['retry-after'], '5');
    assert.equal((await readStream(`http://127.0.0.1:${portA}/nothing-here.ogg`, { seconds: 1 })).status, 404, 'an unknown mount on the shared port is 404');
    await serve.waitFor(/flow "flow-a" is running/, 10_000, mark);
    const backIn = Date.now() - killedAt;
    assert.notEqual(serve.workerPid('flow-a'), pidA, 'a new worker runs flow-a');
    assert.ok(backIn < 5000, `flow-a back in ${backIn} ms`);
    const a = await readStream(`http://127.0.0.1:${portA}/flow-a.ogg`, { seconds: 2 });
    assert.equal(a.status, 200);
    assert.ok((await decodes(a.body)).ok, 'the restarted flow streams decodable Ogg Vorbis');

    const b = await listenerB;
    const { seconds, gaps } = dataGaps(b.body);
    assert.ok(seconds > 4, `flow-b's listener received ${seconds} s of audio in 6 s`);
    assert.deepEqual(gaps, [], "flow-b's listener lost no page while flow-a's worker was killed");
    assert.ok((await decodes(b.body)).ok);
  } finally {
    const stoppedAt = Date.now();
    const { code } = await serve.stop('SIGTERM');
    assert.equal(code, 0);
    assert.ok(Date.now() - stoppedAt < 5000, 'SIGTERM stops everything within a few seconds');
  }
  assert.equal(await isPortOpen(portA), false, 'the shared port is closed after SIGTERM');
  const workers = serve.logs().filter((r) => r.msg === 'worker started').map((r) => Number(r.pid));
  assert.deepEqual(workers.filter(alive), [], 'no worker outlives the manager');
});

test('serve: kill -9 of the manager leaves no orphan worker', async () => {
  const dir = directory({ 'a.yaml': toneFlow('orphan-a', await freePort()) });
  const serve = startServe([dir], { cwd: REPO });
  await serve.waitFor(/flow "orphan-a" is running/);
  const pid = serve.workerPid('orphan-a')!;
  assert.ok(alive(pid));
  await serve.stop('SIGKILL');
  const deadline = Date.now() + 5000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, 'the worker exits when its manager dies');
});

test('serve: nothing valid to serve exits 2 with the errors', async () => {
  const dir = directory({ 'bad.yaml': 'name: bad\ncomponents:\n  x:\n    type: no-such-type\n' });
  const serve = startServe([dir], { cwd: REPO });
  const { code } = await serve.exited;
  assert.equal(code, 2);
  assert.match(serve.stderr(), /bad\.yaml:4:11: error FC_UNKNOWN_TYPE/);
  assert.match(serve.stderr(), /no flow could start/);
});

test('serve: hot reload — a valid edit restarts only that flow, an invalid edit keeps the old one running with the errors logged, a new file starts a flow, a deleted one stops it; SIGHUP also reloads', async () => {
  const [portA, portB, portC] = [await freePort(), await freePort(), await freePort()];
  const dir = directory({ 'a.yaml': toneFlow('reload-a', portA), 'b.yaml': toneFlow('reload-b', portB) });
  const serve = startServe([dir], { cwd: REPO });
  try {
    await serve.waitFor(/flow "reload-a" is running/);
    await serve.waitFor(/flow "reload-b" is running/);
    const pidA0 = serve.workerPid('reload-a');
    const pidB = serve.workerPid('reload-b');

    // An edit of a live property only (producer-test's frequency): applied without a restart.
    fs.writeFileSync(path.join(dir, 'a.yaml'), toneFlow('reload-a', portA).replace('frequency: 440', 'frequency: 880'));
    const live = await serve.waitForLog((r) => r.msg === 'flow file changed: live properties applied without a restart' && r.flow === 'reload-a', 10_000);
    assert.deepEqual(live.changes, { tone: { frequency: 880 } });
    await serve.waitForLog((r) => r.msg === 'properties changed' && r.flow === 'reload-a' && r.component === 'tone', 5000);
    assert.equal(serve.workerPid('reload-a'), pidA0, 'the same worker, not restarted');
    const pidA = pidA0;

    // A valid edit of a.yaml that needs a restart: only flow a restarts, on its new mount.
    let mark = serve.stdout().length;
    fs.writeFileSync(path.join(dir, 'a.yaml'), toneFlow('reload-a', portA, '/edited.ogg'));
    await serve.waitFor(/flow "reload-a" is running\n {2}stream: http:\/\/127\.0\.0\.1:\d+\/edited\.ogg/, 15_000, mark);
    assert.notEqual(serve.workerPid('reload-a'), pidA);
    assert.equal(serve.workerPid('reload-b'), pidB, 'flow b was not touched');
    assert.equal((await readStream(`http://127.0.0.1:${portA}/edited.ogg`, { seconds: 1 })).status, 200);

    // An invalid edit: errors with file:line:col, the running version stays.
    const pidA2 = serve.workerPid('reload-a');
    const errMark = serve.stderr().length;
    fs.writeFileSync(path.join(dir, 'a.yaml'), toneFlow('reload-a', portA, '/edited.ogg').replace('frequency: 440', 'frequency: -5'));
    await serve.waitFor(/a\.yaml:5:\d+: error FC_PROPERTY_INVALID component "tone" property "frequency"/, 10_000, serve.stdout().length + 1 + errMark);
    await serve.waitForLog((r) => r.msg === 'flow file refused: the previous version keeps running' && r.flow === 'reload-a', 5000);
    assert.equal(serve.workerPid('reload-a'), pidA2);
    assert.equal((await readStream(`http://127.0.0.1:${portA}/edited.ogg`, { seconds: 1 })).status, 200, 'the old flow still streams');

    // A new file (picked up on SIGHUP, watching off or not) starts a flow; a deleted one stops its flow.
    mark = serve.stdout().length;
    fs.writeFileSync(path.join(dir, 'c.yaml'), toneFlow('reload-c', portC));
    serve.process.kill('SIGHUP');
    await serve.waitFor(/flow "reload-c" is running/, 15_000, mark);
    fs.rmSync(path.join(dir, 'b.yaml'));
    await serve.waitForLog((r) => r.msg === 'mood' && r.flow === 'reload-b' && r.mood === 'sleeping', 10_000);
    assert.equal(await isPortOpen(portB), false, "flow b's port is closed");
    assert.equal(alive(pidB!), false);
  } finally {
    assert.equal((await serve.stop('SIGTERM')).code, 0);
  }
});

test('serve: under systemd (NOTIFY_SOCKET), READY=1 once the flows start, WATCHDOG=1 at half WATCHDOG_USEC, STOPPING=1 on SIGTERM', async () => {
  // A stand-in for systemd's notify socket: a unix datagram socket (Node has none, Python does).
  const socketPath = path.join(fs.mkdtempSync(path.join(scratch, 'notify-')), 'notify.sock');
  const receiver = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("bound",flush=True)\nwhile True: print(s.recv(4096).decode().replace("\\n"," | "),flush=True)', socketPath]);
  let received = '';
  receiver.stdout.on('data', (d: Buffer) => (received += d.toString()));
  await new Promise<void>((resolve) => receiver.stdout.once('data', () => resolve()));
  const serve = startServe([directory({ 'a.yaml': toneFlow('notified', await freePort()) })], { cwd: REPO, env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '400000' } });
  try {
    await serve.waitFor(/flow "notified" is running/);
    const deadline = Date.now() + 5000;
    while (!/WATCHDOG=1[\s\S]*WATCHDOG=1/.test(received) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(received, /READY=1 \| STATUS=1 flow: notified (waking|happy)/);
    assert.match(received, /WATCHDOG=1[\s\S]*WATCHDOG=1/, received);
  } finally {
    assert.equal((await serve.stop('SIGTERM')).code, 0);
    await new Promise((r) => setTimeout(r, 300));
    receiver.kill();
  }
  assert.match(received, /STOPPING=1/);
});
