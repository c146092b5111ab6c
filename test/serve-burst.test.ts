/**
 * `flowcast serve` takes a burst of listeners connecting at once through its porter: Node passes
 * the sockets to the worker one per round trip, and the heartbeats wait behind them, so a worker
 * busy taking them must not be declared lost (it was, with 10,000 at once: bench:metrics).
 * Heartbeats are made short here so that the burst outlasts the time a worker may stay silent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, startServe } from '@flowcast/core/testing';

const REPO = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-serve-burst-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const WANTED = 3000;

/** This process's open-file limit (each listener is one descriptor here). */
function openFileLimit(): number {
  return Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 1024;
}

test('serve: a burst of listeners at once is handed over to the worker, which is not taken for lost meanwhile', async (t) => {
  const count = Math.min(WANTED, openFileLimit() - 200);
  if (count < 1000) {
    t.skip(`the open-file limit (${openFileLimit()}) holds fewer than 1000 listeners`);
    return;
  }
  const port = await freePort();
  fs.mkdirSync(path.join(scratch, 'flows'));
  fs.writeFileSync(
    path.join(scratch, 'flows', 'radio.yaml'),
    `name: radio\ncomponents:\n  tone: { type: producer-test }\n  enc: { type: encoder-vorbis, eats: tone }\n  mux: { type: muxer-ogg, eats: enc }\n  web:\n    type: streamer-http\n    eats: mux\n    properties: { mount: /radio.ogg, port: ${port}, bind-address: 127.0.0.1, client-limit: 0 }\n`,
  );
  const env = {
    FLOWCAST_STATE_DIR: path.join(scratch, 'state'),
    FLOWCAST_ADMIN_PORT: 'off',
    FLOWCAST_HEARTBEAT: '0.1',
    FLOWCAST_LOST_AFTER: '0.6',
    // Every listener comes from 127.0.0.1, all at once.
    FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000',
    FLOWCAST_HTTP_MAX_PENDING: '100000',
  };
  const serve = startServe([path.join(scratch, 'flows')], { cwd: REPO, env });
  const sockets: net.Socket[] = [];
  try {
    await serve.waitFor(/flow "radio" is running/, 30_000);
    let served = 0;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      let got = 0;
      const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('GET /radio.ogg HTTP/1.0\r\n\r\n'));
      socket.on('data', (chunk: Buffer) => {
        if (got === 0) served++;
        got += chunk.length;
      });
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    const deadline = performance.now() + 90_000;
    while (served < count && performance.now() < deadline && !serve.logs().some((r) => r.msg === 'worker replaced')) await new Promise((r) => setTimeout(r, 100));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const replaced = serve.logs().filter((r) => r.msg === 'worker replaced' || r.mood === 'lost');
    assert.deepEqual(replaced, [], 'the worker was not taken for lost');
    assert.equal(served, count, `listeners with data after ${seconds} s`);
    t.diagnostic(`${count} listeners served ${seconds} s after the burst`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await serve.stop();
  }
});
