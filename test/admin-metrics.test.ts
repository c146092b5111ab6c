/**
 * /metrics with real listeners and a real worker crash: the streamers' counters are Prometheus
 * counters kept in the manager, so they never go down when a worker is replaced (SIGKILL here)
 * and go on from where they were; the pipeline latency of a live source is exported.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-admin-metrics-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A listener that reads `bytes` of the stream, then leaves. */
function listen(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const request = http.get({ host: '127.0.0.1', port, path: '/radio.ogg' }, (response) => {
      assert.equal(response.statusCode, 200);
      response.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= bytes) {
          request.destroy();
          resolve(got);
        }
      });
    });
    request.on('error', (error) => (got >= bytes ? undefined : reject(error)));
  });
}

/** The value of one series of the exposition text (undefined when it is not there). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics: streamer counters are counters that survive a worker killed and replaced; pipeline latency of a live source', async () => {
  const port = await freePort();
  const adminPort = await freePort();
  const flows = path.join(scratch, 'flows');
  fs.mkdirSync(flows);
  fs.writeFileSync(
    path.join(flows, 'radio.yaml'),
    `name: radio\ncomponents:\n  tone: { type: producer-test }\n  enc: { type: encoder-vorbis, eats: tone }\n  mux: { type: muxer-ogg, eats: enc }\n  web:\n    type: streamer-http\n    eats: mux\n    properties: { mount: /radio.ogg, port: ${port}, bind-address: 127.0.0.1 }\n`,
  );
  const env = { FLOWCAST_STATE_DIR: path.join(scratch, 'state'), FLOWCAST_ADMIN_PORT: String(adminPort), FLOWCAST_RESTART_MIN: '0.5' };
  const serve = startServe([flows], { cwd: REPO, env });
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const mount = '{flow="radio",component="web",mount="/radio.ogg"}';
  try {
    await serve.waitFor(/flow "radio" is running/, 30_000);
    await serve.waitFor(/admin API and dashboard/, 10_000);

    await Promise.all([listen(port, 20_000), listen(port, 20_000)]);
    const before = await metrics();
    assert.match(before, /^# TYPE flowcast_mount_connects_total counter$/m);
    assert.match(before, /^# TYPE flowcast_mount_bytes_sent_total counter$/m);
    assert.match(before, /^# TYPE flowcast_flow_worker_starts_total counter$/m);
    assert.equal(sample(before, `flowcast_mount_connects_total${mount}`), 2);
    const bytesBefore = sample(before, `flowcast_mount_bytes_sent_total${mount}`)!;
    assert.ok(bytesBefore >= 2 * 10_000, `bytes sent: ${bytesBefore}`);
    assert.equal(sample(before, 'flowcast_flow_worker_starts_total{flow="radio"}'), 1);
    // A live tone: its newest buffer's age when it reached the streamer is known, and short.
    const latency = sample(before, `flowcast_mount_pipeline_latency_seconds${mount}`);
    assert.ok(latency !== undefined && latency >= 0 && latency < 5, `pipeline latency: ${latency}`);

    // The worker dies: a new one counts from zero, the manager's counters go on.
    const first = serve.workerPid('radio')!;
    process.kill(first, 'SIGKILL');
    await serve.waitForLog((r) => r.msg === 'worker started' && r.start === 2, 30_000);
    await serve.waitFor(/flow "radio" is running/, 30_000, serve.stdout().lastIndexOf('flow "radio" is running') + 1);
    const replaced = await metrics();
    assert.equal(sample(replaced, 'flowcast_flow_worker_starts_total{flow="radio"}'), 2);
    assert.equal(sample(replaced, `flowcast_mount_connects_total${mount}`), 2, 'not back to 0 with the new worker');
    assert.equal(sample(replaced, `flowcast_mount_bytes_sent_total${mount}`), bytesBefore);
    assert.equal(sample(replaced, `flowcast_mount_listeners${mount}`), 0);

    await listen(port, 20_000);
    const after = await metrics();
    assert.equal(sample(after, `flowcast_mount_connects_total${mount}`), 3, 'the new worker\'s listener on top');
    assert.ok(sample(after, `flowcast_mount_bytes_sent_total${mount}`)! >= bytesBefore + 10_000);
  } finally {
    await serve.stop();
  }
});
