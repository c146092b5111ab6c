/**
 * The hub with more listeners than one slice (stream-hub.ts, SLICE = 256): writes and sweeps visit
 * the listeners a slice at a time and yield to the event loop between slices, and a sweep reads the
 * TCP state of a whole slice in one native call (tcpStates). Listeners that join while a write or a
 * sweep is half done, listeners whose socket blocks, that reset, that half-close: each must be
 * treated exactly as when everything happened at once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import type { StreamHub } from '../src/stream-hub';
import { synthPage } from './ogg-build';
import { assertSequences, connect, HEADER_BYTES, HEADERS, startHub, type Client } from './hub-harness';
import { mapLimit, sleep, waitFor } from './support';

/**
 * The crowd test holds up to 2600 listeners in this one process: each costs its client socket,
 * the server's socket and the hub's copy of its descriptor, about 8,000 in all. Debian's default
 * limit is 1024; raise it (util-linux's prlimit, as streamer-http itself does) where it is lower,
 * and where it cannot be raised, hold as many as fit.
 */
function openFileLimits(): { soft: number; hard: number } {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft = 1024, hard = 1024] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft, hard };
}

/** Raise the soft limit toward `count` (the hard one too where allowed); the limit in force after. */
function ensureOpenFiles(count: number): number {
  const { soft, hard } = openFileLimits();
  if (soft < count) {
    const target = process.getuid?.() === 0 ? count : Math.min(count, hard);
    spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:${Math.max(target, hard)}`], { stdio: 'ignore' });
    if (openFileLimits().soft < Math.min(count, hard)) spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${Math.min(count, hard)}:${hard}`], { stdio: 'ignore' });
  }
  return openFileLimits().soft;
}
/** 2600 listeners where the limit allows (3 descriptors each, 300 spare), never fewer than four slices. */
const OPEN_FILES = ensureOpenFiles(12_000);
const CROWD = Math.min(2600, Math.floor((OPEN_FILES - 300) / 3));
/** The slice tests hold 609 listeners. */
const SLICE_TESTS_NEED = 609 * 3 + 300;
const HELD = Math.round((CROWD * 600) / 2600);

/** Whether a write or a sweep of the hub is half done (more slices to come). */
function midSweep(hub: StreamHub): boolean {
  return (hub as unknown as { slices: Set<unknown> }).slices.size > 0;
}

/** A light listener for the crowd: sends a GET and only counts the body bytes it receives. */
interface Counter {
  socket: net.Socket;
  bytes: number;
}

function counter(port: number): Promise<Counter> {
  return new Promise((resolve, reject) => {
    const c: Counter = { socket: net.connect({ port, host: '127.0.0.1' }), bytes: 0 };
    let head: Buffer | undefined = Buffer.alloc(0);
    c.socket.on('data', (chunk: Buffer) => {
      if (!head) {
        c.bytes += chunk.length;
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      c.bytes += head.length - (end + 4);
      head = undefined;
    });
    c.socket.once('error', reject);
    c.socket.once('connect', () => {
      c.socket.write(`GET /live.ogg HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      resolve(c);
    });
  });
}

test('thousands of listeners joining while writes and sweeps are half done all get their burst, then every page', { timeout: 90_000, skip: CROWD < 4 * 256 ? `needs about ${4 * 256 * 3 + 300} open files, the limit here is ${openFileLimits().soft}` : false }, async () => {
  const BODY = 200;
  const BURST = 1000;
  const h = await startHub({ burst: { mode: 'bytes', bytes: BURST }, writeIntervalMs: 20 }, { realClock: true });
  const held: Client[] = [];
  const joiners: Client[] = [];
  let publisher: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    let seq = 2;
    for (; seq < 12; seq++) h.page(seq, BODY);
    // The newest page at each admission, and whether a write or sweep was half done then.
    const headAtAdmission = new Map<number, number>();
    let joinedMidSweep = 0;
    const add = h.hub.add.bind(h.hub);
    h.hub.add = (socket, request) => {
      if (midSweep(h.hub)) joinedMidSweep++;
      headAtAdmission.set(request.remotePort, seq - 1);
      add(socket, request);
    };
    held.push(...(await mapLimit(Array.from({ length: HELD }), 50, () => connect(h.port))));
    // From now on a page every 40 ms (each write then spans three slices and more) and a sweep every 100 ms.
    publisher = setInterval(() => h.page(seq++, BODY), 40);
    sweeper = setInterval(() => h.hub.sweep(1000), 100);
    // 200 connecting at once while pages and sweeps go on, the test's own clients on the same two
    // cores: a listener's headers can take a few seconds to come. What is checked is that each one
    // gets its burst and then every page, not how fast.
    joiners.push(...(await mapLimit(Array.from({ length: CROWD - HELD }), 200, () => connect(h.port, { admitWithinMs: 15_000 }))));
    clearInterval(publisher);
    clearInterval(sweeper);
    const last = seq - 1;
    assert.ok(joinedMidSweep > 0, 'some listeners joined while a write or a sweep was half done');

    // A burst of BURST bytes starts at the newest sync page that gives that much: every page is one.
    const pageLength = synthPage(2, BODY).length;
    const burstPages = Math.ceil(BURST / pageLength);
    const everyone = [...held, ...joiners];
    assert.ok(
      await waitFor(() => everyone.every((c) => c.dataPages().at(-1)?.sequence === last), 20_000),
      `${everyone.filter((c) => c.dataPages().at(-1)?.sequence !== last).length} listeners lack pages up to ${last}`,
    );
    for (const c of joiners) {
      const pages = c.dataPages();
      const head = headAtAdmission.get(c.socket.localPort!)!;
      assertSequences(pages, head - burstPages + 1, last, `listener on port ${c.socket.localPort} (joined at page ${head})`);
    }
    for (const c of held) assert.equal(c.dataPages().at(-1)?.sequence, last);
    assert.equal(h.hub.stats().clients, CROWD);
    assert.equal(h.dropped.length, 0, `no listener dropped: ${h.dropped.slice(0, 3).join('; ')}`);
  } finally {
    clearInterval(publisher);
    clearInterval(sweeper);
    for (const c of [...held, ...joiners]) c.socket.destroy();
    await h.close();
  }
});

for (const writeIntervalMs of [0, 20]) {
  const how = writeIntervalMs === 0 ? 'each buffer written at once' : `writes every ${writeIntervalMs} ms (one native call per slice for those that keep up)`;
  test(`over several slices, ${how}: a listener whose socket blocks is skipped, one that resets is closed, one that half-closes keeps its stream, the rest get every byte`, { timeout: 90_000, skip: OPEN_FILES < SLICE_TESTS_NEED ? `needs about ${SLICE_TESTS_NEED} open files, the limit here is ${OPEN_FILES}` : false }, async () => {
    const BODY = 16_000;
    // max-client-buffer and hard-lag high: only the kernel's refusal decides here.
    const h = await startHub({ maxClientBuffer: 256 * 1024 * 1024, hardLagMs: 600_000, softLagMs: 600_000, writeIntervalMs });
    const crowd: Counter[] = [];
    const specials: Client[] = [];
    try {
      h.hub.setFormat('application/ogg', HEADERS);
      // Interleaved with the crowd, so that the special listeners sit in different slices.
      for (let i = 0; i < 3; i++) {
        crowd.push(...(await mapLimit(Array.from({ length: 200 }), 50, () => counter(h.port))));
        specials.push(await connect(h.port, { paused: true }), await connect(h.port), await connect(h.port));
      }
      assert.ok(await waitFor(() => crowd.every((c) => c.bytes >= HEADER_BYTES), 10_000), 'the crowd is admitted');
      assert.equal(h.hub.listenerStates().length, 609);
      const [blockers, resetters, halfClosers] = [0, 1, 2].map((k) => specials.filter((_, i) => i % 3 === k)) as [Client[], Client[], Client[]];
      for (const c of halfClosers) c.socket.end(); // FIN: still a listener
      for (const c of resetters) c.socket.resetAndDestroy(); // RST: gone
      await sleep(100);

      const stateOf = (c: Client) => h.hub.listenerStates().find((l) => l.remotePort === c.socket.localPort);
      let seq = 2;
      let stream = 0;
      h.clock.now = 0;
      while (seq < 2000 && !blockers.every((c) => stateOf(c)?.blocked)) {
        h.clock.now += 1;
        stream += h.page(seq++, BODY).length;
        if (seq % 16 === 0) {
          h.hub.sweep();
          await sleep(20); // the sweep's later slices, and the crowd reads
        }
      }
      assert.ok(blockers.every((c) => stateOf(c)?.blocked), `the listeners that stopped reading are no longer written to after ${seq - 2} pages`);
      h.hub.sweep();
      assert.ok(await waitFor(() => h.closed.length === resetters.length, 5000), `the listeners that reset are closed (${h.closed.length})`);
      for (const c of resetters) assert.equal(stateOf(c), undefined);
      const last = seq;
      stream += h.page(seq++, BODY).length;
      for (const c of halfClosers) assert.ok(stateOf(c), 'a half-closed listener is still a listener');
      assert.ok(
        await waitFor(() => halfClosers.every((c) => c.dataPages().at(-1)?.sequence === last), 20_000),
        `the half-closed listeners get every page up to ${last}: ${JSON.stringify(halfClosers.map((c) => ({ got: c.dataPages().at(-1)?.sequence, hub: stateOf(c) })))}`,
      );
      for (const c of halfClosers) assertSequences(c.dataPages(), 2, last, 'a half-closed listener');
      const expected = HEADER_BYTES + stream;
      assert.ok(
        await waitFor(() => crowd.every((c) => c.bytes === expected), 20_000),
        `the crowd gets every byte, the blocked listeners notwithstanding (${crowd.filter((c) => c.bytes !== expected).length} of ${crowd.length} lack some)`,
      );
      assert.equal(h.dropped.length, 0);
    } finally {
      for (const c of crowd) c.socket.destroy();
      for (const c of specials) c.socket.destroy();
      await h.close();
    }
  });
}
