/**
 * StreamHub on real sockets: a node:http server whose handler hands the request's socket to the
 * hub (as streamer-http does), raw TCP clients that read, stop reading and leave, and a clock the
 * test moves by hand for every lag and time decision.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { formatAccessLine } from '@flowcast/core';
import { BufferFlag } from '@flowcast/core';
import { synthPage } from './ogg-build';
import { oggPages, sleep, waitFor } from './support';
import { assertSequences, connect, HEADER_BYTES, HEADERS, startHub, type Client } from './hub-harness';
test('burst off: a new listener gets the headers, then only buffers published after it joined', { timeout: 10_000 }, async () => {
  const h = await startHub({ burst: { mode: 'off' } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    for (let seq = 2; seq < 12; seq++) h.page(seq);
    const client = await connect(h.port);
    assert.match(client.head(), /^HTTP\/1\.[01] 200 /);
    assert.match(client.head(), /\r\nContent-Type: application\/ogg/i);
    assert.ok(client.body().subarray(0, HEADER_BYTES).equals(Buffer.concat(HEADERS)), 'the stream headers come first');
    assert.equal(client.body().length, HEADER_BYTES, 'nothing published before it joined');
    for (let seq = 12; seq < 15; seq++) h.page(seq);
    assert.ok(await waitFor(() => client.dataPages().length === 3, 2000));
    assertSequences(client.dataPages(), 12, 14, 'only the later pages');
    client.socket.destroy();
  } finally {
    await h.close();
  }
});

test('burst latest-sync: a new listener starts at the newest sync entry', { timeout: 10_000 }, async () => {
  const h = await startHub({ burst: { mode: 'latest-sync' } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    // Sync points at 2, 6, 10, …; the pages between continue a packet.
    for (let seq = 2; seq < 13; seq++) h.page(seq, 1000, (seq - 2) % 4 !== 0);
    const client = await connect(h.port);
    assert.ok(await waitFor(() => client.dataPages().length === 3, 2000), `${client.dataPages().length} burst pages`);
    assertSequences(client.dataPages(), 10, 12, 'from sync page 10 to the head');
    assert.equal(client.dataPages()[0]!.flags & 0x01, 0, 'the first page is not continued');
    h.page(13, 1000, true);
    assert.ok(await waitFor(() => client.dataPages().length === 4, 2000));
    assertSequences(client.dataPages(), 10, 13, 'then live');
    assert.equal(h.hub.stats().resyncs, 0);
    client.socket.destroy();
  } finally {
    await h.close();
  }
});

test('burst bytes N: at least N bytes of burst, beginning exactly at a sync entry (the newest that gives N)', { timeout: 10_000 }, async () => {
  const N = 5000;
  const h = await startHub({ burst: { mode: 'bytes', bytes: N } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const published: Buffer[] = [];
    for (let seq = 2; seq < 32; seq++) published.push(h.page(seq, 900 + ((seq * 53) % 300), (seq - 2) % 3 !== 0));
    const client = await connect(h.port);
    assert.ok(await waitFor(() => client.dataPages().at(-1)?.sequence === 31, 2000), 'the burst reaches the head');
    const pages = client.dataPages();
    const first = pages[0]!;
    assert.equal(first.flags & 0x01, 0, 'the burst starts on a sync page');
    assertSequences(pages, first.sequence, 31, 'the burst is contiguous');
    const burstBytes = client.body().length - HEADER_BYTES;
    assert.ok(burstBytes >= N, `a burst of ${burstBytes} bytes, ${N} asked`);
    // The newest sync page that gives N: the next sync page (3 later) would give less.
    const fromNextSync = published.slice(first.sequence + 3 - 2).reduce((n, p) => n + p.length, 0);
    assert.ok(fromNextSync < N, `the next sync page would already give ${fromNextSync} bytes`);
    assert.ok(client.body().subarray(HEADER_BYTES).equals(Buffer.concat(published.slice(first.sequence - 2))), 'the burst is the published bytes');
    client.socket.destroy();
  } finally {
    await h.close();
  }
});

test('burst time T (longer than soft-lag): at least T of stream, beginning exactly at a sync entry, no resync', { timeout: 10_000 }, async () => {
  const T = 8000; // > HUB_TEST_POLICY.softLagMs: the defaults allow burst-time 8 with soft-lag 5.
  const h = await startHub({ burst: { mode: 'time', ms: T } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const times = new Map<number, number>();
    // One page a second for 20 s, a sync point every 3rd.
    for (let seq = 2; seq < 22; seq++) {
      h.clock.now = (seq - 2) * 1000;
      times.set(seq, h.clock.now);
      h.page(seq, 1000, (seq - 2) % 3 !== 0);
    }
    const now = h.clock.now;
    const client = await connect(h.port);
    assert.ok(await waitFor(() => client.dataPages().at(-1)?.sequence === 21, 2000), `burst pages: ${client.dataPages().map((p) => p.sequence).join(',')}`);
    const pages = client.dataPages();
    const first = pages[0]!;
    assert.equal(first.flags & 0x01, 0, 'the burst starts on a sync page');
    assertSequences(pages, first.sequence, 21, 'the burst is contiguous');
    assert.ok(now - times.get(first.sequence)! >= T, `the burst starts ${now - times.get(first.sequence)!} ms back, ${T} asked`);
    assert.ok(now - times.get(first.sequence + 3)! < T, 'the newest sync page that gives T');
    assert.equal(h.hub.stats().resyncs, 0, 'the burst itself is not a lag to resync');
    client.socket.destroy();
  } finally {
    await h.close();
  }
});

test('burst bytes N on a slow stream that ran longer than the log keeps: still N bytes from a sync entry', { timeout: 10_000 }, async () => {
  const N = 12_000;
  const h = await startHub({ burst: { mode: 'bytes', bytes: N }, hardLagMs: 10_000 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    // 1 kB a second, a keyframe every 8 s, for 60 s: the log keeps 10 s by time.
    for (let seq = 2; seq < 62; seq++) {
      h.clock.now = (seq - 2) * 1000;
      h.page(seq, 1000, (seq - 2) % 8 !== 3);
    }
    const client = await connect(h.port);
    assert.ok(await waitFor(() => client.dataPages().at(-1)?.sequence === 61, 2000));
    assert.equal(client.dataPages()[0]!.flags & 0x01, 0, 'the burst starts on a sync page');
    const burstBytes = client.body().length - HEADER_BYTES;
    assert.ok(burstBytes >= N, `a burst of ${burstBytes} bytes, ${N} asked`);
    client.socket.destroy();
  } finally {
    await h.close();
  }
});

test('a stalled listener: bounded pile-up, dropped by sweep once past hard-lag; a fast listener gets everything', { timeout: 25_000 }, async () => {
  const HARD = 10_000;
  // max-client-buffer high, so that it is the lag that decides.
  const h = await startHub({ hardLagMs: HARD, softLagMs: 5000, maxClientBuffer: 256 * 1024 * 1024 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const fast = await connect(h.port);
    const stalled = await connect(h.port, { paused: true });
    const stalledState = () => h.hub.listenerStates().find((l) => l.remotePort === stalled.socket.localPort);
    assert.ok(await waitFor(() => stalledState() !== undefined, 2000), 'the hub has the stalled listener');
    const BODY = 8000;
    const pageLength = synthPage(2, BODY).length;
    // What the hub keeps for a listener the kernel refuses: at most the page it was writing.
    const bound = 2 * pageLength;
    let seq = 2;
    let maxPiledUp = 0;
    let expectedFast = HEADER_BYTES;
    const publish = async (): Promise<void> => {
      expectedFast += h.page(seq++, BODY).length;
      maxPiledUp = Math.max(maxPiledUp, stalledState()?.pendingBytes ?? 0);
      // Let the fast listener take it before the next page: it must not lag.
      if (seq % 16 === 0) assert.ok(await waitFor(() => fast.body().length === expectedFast, 3000), `the fast listener has ${fast.body().length} of ${expectedFast} bytes`);
    };

    // Fill the stalled listener's kernel buffers (both ends) with 1 ms of clock per page, sweeping
    // now and then as the streamer does, until the kernel refuses it more.
    let kernelQueue = 0;
    while (seq < 20_000) {
      h.clock.now += 1;
      await publish();
      if (seq % 64 === 0) {
        h.hub.sweep();
        kernelQueue = stalledState()?.kernelQueue ?? 0;
        if (kernelQueue > 64 * 1024 && stalledState()?.blocked) break;
      }
    }
    assert.ok(kernelQueue > 64 * 1024, `the stalled listener's send queue holds ${kernelQueue} bytes after ${seq - 2} pages`);
    const stalledAt = h.clock.now;
    assert.equal(h.hub.stats().clients, 2);

    // Live pages once a second; a sweep after each. Not dropped while it cannot be HARD behind…
    while (h.clock.now + 1000 < HARD) {
      h.clock.now += 1000;
      await publish();
      h.hub.sweep();
      assert.equal(h.hub.stats().drops, 0, `dropped at ${h.clock.now} ms, ${h.dropped.join('; ')}`);
    }
    // …and dropped once it is.
    while (h.hub.stats().drops === 0 && h.clock.now < stalledAt + HARD + 3000) {
      h.clock.now += 1000;
      await publish();
      h.hub.sweep();
    }
    assert.equal(h.hub.stats().drops, 1, `not dropped at ${h.clock.now} ms (stalled from ≤ ${stalledAt} ms)`);
    assert.match(h.dropped[0] ?? '', /behind/, 'dropped for its lag');
    assert.ok(h.clock.now > HARD, `dropped at ${h.clock.now} ms, before hard-lag could pass`);
    assert.ok(maxPiledUp <= bound, `${maxPiledUp} bytes piled up in the hub for the stalled listener, over ${bound}`);
    assert.equal(h.hub.stats().clients, 1);
    assert.equal(stalledState(), undefined, 'its connection is gone');

    // The stalled client sees its connection end once it reads again; the fast one got everything.
    stalled.socket.resume();
    await stalled.ended;
    await publish();
    assert.ok(await waitFor(() => fast.body().length === expectedFast, 3000), `the fast listener has ${fast.body().length} of ${expectedFast} bytes`);
    assertSequences(fast.dataPages(), 2, seq - 1, 'the fast listener got every page');
    assert.equal(h.hub.stats().resyncs, 0);
    fast.socket.destroy();
  } finally {
    await h.close();
  }
});

test('a listener that stops reading counts as behind from then: what its own kernel holds unread is counted, never more than it holds', { timeout: 30_000 }, async () => {
  // A 16 KB/s stream (128 kbit/s) with the clock moved by hand: one 4 KB page per 250 ms.
  const HARD = 10_000;
  const PAGE_MS = 250;
  const BODY = 4000;
  const h = await startHub({ hardLagMs: HARD, softLagMs: 60_000, maxClientBuffer: 256 * 1024 * 1024, writeIntervalMs: 0 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const client = await connect(h.port);
    const state = () => h.hub.listenerStates().find((l) => l.remotePort === client.socket.localPort);
    let seq = 2;
    let sent = HEADER_BYTES;
    const step = async (): Promise<void> => {
      h.clock.now += PAGE_MS;
      sent += h.page(seq++, BODY).length;
      await sleep(5); // real time for the bytes to cross loopback, so the windows move as they would
      if (seq % 4 === 0) h.hub.sweep();
    };
    // Five seconds of reading along…
    while (h.clock.now < 5000) await step();
    assert.ok(await waitFor(() => client.body().length === sent, 2000), 'the listener read everything so far');
    // …then it stops.
    client.socket.pause();
    const stoppedAt = h.clock.now;
    const read = client.body().length;
    let unreadSeen = 0;
    while (h.hub.stats().drops === 0 && h.clock.now < stoppedAt + 3 * HARD) {
      await step();
      const s = state();
      if (!s) continue;
      // What the client's kernel took and the client did not read: the hub may not count more.
      const unreadTruth = sent - s.pendingBytes - s.kernelQueue - read;
      assert.ok(s.clientUnread <= unreadTruth, `the hub counts ${s.clientUnread} bytes unread by the client, which has ${unreadTruth} unread`);
      unreadSeen = Math.max(unreadSeen, s.clientUnread);
    }
    const droppedAfter = h.clock.now - stoppedAt;
    assert.equal(h.hub.stats().drops, 1, 'dropped for its lag');
    assert.ok(unreadSeen > 32 * 1024, `the hub saw at most ${unreadSeen} bytes waiting in the client's own buffer`);
    // Dropped once HARD behind, plus what the client's kernel took beyond its window's shrinking
    // (about 20 KB on loopback: 1.2 s of this stream) and up to a sweep: 11.5 to 12.5 s here. Not
    // counting the client's buffer at all, it was HARD + its whole buffer (18.5 s).
    assert.ok(droppedAfter > HARD, `dropped ${droppedAfter} ms after it stopped reading, before it was ${HARD} ms behind`);
    assert.ok(droppedAfter <= HARD + 4000, `dropped ${droppedAfter} ms after it stopped reading, with hard-lag ${HARD} ms`);
  } finally {
    await h.close();
  }
});

/** The state (hex, as /proc/net/tcp gives it) and send queue of the TCP socket from `localPort` to `remotePort`, if there is one. */
function tcpSocket(localPort: number, remotePort: number): { state: string; sendQueue: number } | undefined {
  const hex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hex(localPort)}`) && f[2]?.endsWith(`:${hex(remotePort)}`)) return { state: f[3]!, sendQueue: parseInt(f[4]!.split(':')[0]!, 16) };
  }
  return undefined;
}

test('hard-lag is kept between sweeps, and a dropped listener is reset: the server keeps none of its queue', { timeout: 20_000 }, async () => {
  const HARD = 1500;
  const h = await startHub({ hardLagMs: HARD, softLagMs: 60_000, maxClientBuffer: 256 * 1024 * 1024, writeIntervalMs: 0 }, { realClock: true });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const stalled = await connect(h.port, { paused: true });
    // More than the client's receive buffer takes: the rest waits in the server's kernel and in the hub.
    const publishedAt = performance.now();
    h.page(2, 200_000);
    await sleep(800);
    // One sweep, 800 ms in, that says the next one is a minute away: only the hub's own check
    // at the moment it passes hard-lag can drop it in time.
    h.hub.sweep(60_000);
    assert.equal(h.hub.stats().drops, 0, `dropped at the sweep, ${HARD} ms not passed: ${h.dropped.join('; ')}`);
    const queued = tcpSocket(h.port, stalled.socket.localPort!);
    assert.ok(queued && queued.sendQueue > 0, `the server's end holds data for the stalled client: ${JSON.stringify(queued)}`);
    assert.ok(await waitFor(() => h.hub.stats().drops === 1, 5000), 'not dropped without another sweep');
    const droppedAfter = h.droppedAt[0]! - publishedAt;
    assert.match(h.dropped[0]!, /behind the live stream/);
    assert.ok(droppedAfter >= HARD, `dropped ${droppedAfter.toFixed(0)} ms after its data was published, before hard-lag ${HARD} ms`);
    assert.ok(droppedAfter < HARD + 1000, `dropped ${droppedAfter.toFixed(0)} ms after its data was published: the check at ${HARD} ms did not happen`);

    // Reset, not closed: nothing of the server's end is left in the kernel (a plain close leaves
    // it in FIN-WAIT-1 with its queue for as long as the client does not read).
    assert.equal(tcpSocket(h.port, stalled.socket.localPort!), undefined, 'the server end of the dropped connection still exists');
    // The client still reads what it had received, then its connection ends.
    stalled.socket.resume();
    await stalled.ended;
    assert.ok(stalled.body().length > HEADER_BYTES + 64 * 1024, `the client read ${stalled.body().length} bytes before the reset`);
  } finally {
    await h.close();
  }
});

test('a hard-lag check that finds the listener not yet past hard-lag (it took more meanwhile) sets the next one, before the next sweep', { timeout: 10_000 }, async () => {
  // The hub's clock stands still between the sweep and its check, as the lag of a listener that
  // took part of what waited for it does: the check finds it 300 ms short, as the sweep did.
  const HARD = 1500;
  const h = await startHub({ hardLagMs: HARD, softLagMs: 60_000, maxClientBuffer: 256 * 1024 * 1024, writeIntervalMs: 0 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    await connect(h.port, { paused: true });
    h.page(2, 200_000); // more than its receive buffer takes: the rest waits in the server's kernel
    await sleep(200);
    h.clock.now = HARD - 300;
    h.hub.sweep(60_000); // its check: in 300 ms
    await sleep(450); // the check has come and found it 300 ms short
    assert.equal(h.hub.stats().drops, 0);
    h.clock.now = HARD + 100;
    assert.ok(await waitFor(() => h.hub.stats().drops === 1, 2000), 'not dropped: the check that found it short set no next one, and the next sweep is a minute away');
    assert.match(h.dropped[0]!, /behind the live stream/);
  } finally {
    await h.close();
  }
});

test('a listener that took its burst and stopped is behind from the next buffer on: hard-lag counts from there, whatever the burst\'s age', { timeout: 10_000 }, async () => {
  const HARD = 5000;
  const h = await startHub({ burst: { mode: 'latest-sync' }, hardLagMs: HARD, softLagMs: 60_000, maxClientBuffer: 256 * 1024 * 1024 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    h.page(2, 1000);
    // It connects 900 ms after the newest page: its burst is that page, 900 ms old.
    h.clock.now = 900;
    const client = await connect(h.port);
    assert.ok(await waitFor(() => client.dataPages().length === 1, 2000), 'the burst page arrived');
    client.socket.pause();
    // The next page, more than the client's receive buffer takes: it cannot have read all of it.
    h.clock.now = 1000;
    h.page(3, 400_000);
    await sleep(200);
    h.clock.now = 1000 + HARD - 10;
    h.hub.sweep();
    assert.equal(h.hub.stats().drops, 0, `dropped before the page it left unread was ${HARD} ms old: ${h.dropped.join('; ')}`);
    // Counting from the burst's age instead, it would be kept until 1000 + HARD + 900.
    h.clock.now = 1000 + HARD + 10;
    h.hub.sweep();
    assert.equal(h.hub.stats().drops, 1, 'not dropped once the page it left unread was past hard-lag');
    assert.match(h.dropped[0]!, /5 s behind the live stream/);
  } finally {
    await h.close();
  }
});

test('soft-lag: a listener back after more than soft-lag is moved to the latest sync point, then gets contiguous data', { timeout: 20_000 }, async () => {
  const h = await startHub({ softLagMs: 5000, hardLagMs: 60_000, maxClientBuffer: 256 * 1024 * 1024 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const client = await connect(h.port, { paused: true });
    const state = () => h.hub.listenerStates().find((l) => l.remotePort === client.socket.localPort);
    assert.ok(await waitFor(() => state() !== undefined, 2000), 'the hub has the listener');
    let seq = 2;
    // Fill until the kernel refuses it more: the hub waits to retry it.
    const fillUntilRefused = async (): Promise<void> => {
      while (state()?.blocked !== 'drain' && seq < 20_000) {
        h.clock.now += 1;
        h.page(seq++, 8000);
        if (seq % 32 === 0) await sleep(1);
      }
    };
    await fillUntilRefused();
    // A paused client's kernel can still open its window for a moment, and a retry would then
    // succeed: fill again until a retry after 200 ms is refused too (the hub hands it nothing).
    for (let settle = 0; settle < 20; settle++) {
      await sleep(200);
      const handed = state()?.bytes;
      h.clock.now += 1;
      h.page(seq++, 8000);
      if (state()?.blocked === 'drain' && state()?.bytes === handed) break;
      await fillUntilRefused();
    }
    assert.equal(state()?.blocked, 'drain', 'the listener is blocked');
    // Six seconds pass; pages keep coming (the first at once), a sync point every third.
    let latestSync = -1;
    for (let i = 0; i < 7; i++) {
      h.clock.now += i === 0 ? 1 : 1000;
      const sync = i % 3 === 1;
      if (sync) latestSync = seq;
      h.page(seq++, 8000, !sync);
    }
    const head = seq - 1;
    assert.equal(h.hub.stats().resyncs, 0);

    client.socket.resume();
    // The streamer sweeps once a second; a blocked listener is retried then.
    const sweeper = setInterval(() => h.hub.sweep(), 100);
    const caughtUp = await waitFor(() => client.dataPages().at(-1)?.sequence === head, 5000);
    clearInterval(sweeper);
    assert.ok(caughtUp, `got up to ${client.dataPages().at(-1)?.sequence}, head ${head}`);
    assert.equal(h.hub.stats().resyncs, 1);
    const pages = client.dataPages();
    const jumps = pages.flatMap((p, i) => (i > 0 && p.sequence !== pages[i - 1]!.sequence + 1 ? [i] : []));
    assert.equal(jumps.length, 1, `one jump in ${pages.map((p) => p.sequence).join(',')}`);
    assert.equal(pages[jumps[0]!]!.sequence, latestSync, 'to the latest sync page');
    assertSequences(pages.slice(jumps[0]!), latestSync, head, 'contiguous from the sync page');
    // And live from there.
    h.clock.now += 100;
    h.page(seq++, 8000, true);
    assert.ok(await waitFor(() => client.dataPages().at(-1)?.sequence === head + 1, 2000));
    client.socket.destroy();
  } finally {
    await h.close();
  }
});

test('limits: client-limit reached → refusal says so; bandwidth-limit from the stream bitrate', { timeout: 10_000 }, async () => {
  const limited = await startHub({ clientLimit: 2 });
  try {
    limited.hub.setFormat('application/ogg', HEADERS);
    assert.equal(limited.hub.refusal(), undefined);
    const a = await connect(limited.port);
    const b = await connect(limited.port);
    assert.match(limited.hub.refusal() ?? '', /client limit 2/);
    a.socket.destroy();
    // A listener that leaves is noticed once data reaches it (its kernel answers with a reset),
    // by the sweep or the next write.
    let seq = 2;
    assert.ok(await waitFor(() => (limited.page(seq++), limited.hub.sweep(), limited.hub.refusal() === undefined), 2000), 'a place is free again once one leaves');
    b.socket.destroy();
  } finally {
    await limited.close();
  }

  // 1000-byte pages (1031 bytes with their header), ten a second: 82 480 bit/s.
  const rate = 10 * synthPage(2, 1000).length * 8;
  const h = await startHub({ bandwidthLimit: rate * 2.5 });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    assert.equal(h.hub.refusal(), undefined, 'no bitrate known yet');
    for (let seq = 2; seq < 202; seq++) {
      h.clock.now = (seq - 2) * 100;
      h.page(seq, 1000);
    }
    h.clock.now += 100;
    assert.equal(h.hub.stats().currentBitrate, rate);
    assert.equal(h.hub.refusal(), undefined, '1 × rate');
    const a = await connect(h.port);
    assert.equal(h.hub.refusal(), undefined, '2 × rate');
    const b = await connect(h.port);
    assert.match(h.hub.refusal() ?? '', /bandwidth limit/, '3 × rate > 2.5 × rate');
    a.socket.destroy();
    b.socket.destroy();
  } finally {
    await h.close();
  }
});

test('stats: clients, peak, connects, bytes sent and bitrate reflect what happened', { timeout: 10_000 }, async () => {
  const h = await startHub();
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    const clients = [await connect(h.port), await connect(h.port), await connect(h.port)];
    assert.deepEqual(
      (({ clients: c, peakClients, connects }) => ({ c, peakClients, connects }))(h.hub.stats()),
      { c: 3, peakClients: 0, connects: 3 },
      'the peak is counted by the sweep, once it has closed the listeners that left',
    );
    h.hub.sweep();
    assert.deepEqual(
      (({ clients: c, peakClients, connects }) => ({ c, peakClients, connects }))(h.hub.stats()),
      { c: 3, peakClients: 3, connects: 3 },
    );
    for (let seq = 2; seq < 12; seq++) {
      h.clock.now = (seq - 2) * 500;
      h.page(seq, 2000);
    }
    assert.ok(await waitFor(() => clients.every((c) => c.dataPages().length === 10), 2000));
    clients[0]!.socket.destroy();
    await sleep(50);
    h.clock.now += 500;
    h.page(12, 2000); // reaches the one that left, whose kernel answers with a reset
    assert.ok(await waitFor(() => (h.hub.sweep(), h.hub.stats().clients === 2), 2000), 'the one that left is noticed by the sweep');
    h.clock.now += 500;
    assert.ok(await waitFor(() => clients.slice(1).every((c) => c.dataPages().length === 11), 2000));
    const stats = h.hub.stats();
    assert.equal(stats.clients, 2);
    assert.equal(stats.peakClients, 3);
    assert.equal(stats.connects, 3);
    assert.equal(stats.drops, 0);
    assert.equal(stats.bytesSent, clients.reduce((n, c) => n + c.body().length, 0), 'bytes sent = stream bytes the listeners received');
    // 11 pages of 2000 bytes over 5.5 s.
    assert.equal(stats.currentBitrate, Math.round((11 * synthPage(2, 2000).length * 8 * 1000) / 5500));
    for (const c of clients) c.socket.destroy();
  } finally {
    await h.close();
  }
});

test('stats() visits no listener (no call per listener): the sweep closes those that left, one batched call per slice, and only then do they leave the count and count for the peak', { timeout: 10_000 }, async () => {
  const calls = new Map<string, number>();
  const h = await startHub({}, { calls });
  try {
    // Before the stream's format is known, listeners wait; one of them leaves with a reset.
    const early = [await connect(h.port, { admitted: false }), await connect(h.port, { admitted: false }), await connect(h.port, { admitted: false })];
    assert.ok(await waitFor(() => h.hub.listenerCount === 3, 2000));
    early[0]!.socket.resetAndDestroy();
    await sleep(50);
    calls.clear();
    for (let i = 0; i < 10; i++) assert.equal(h.hub.stats().clients, 3, 'not noticed before the sweep');
    assert.deepEqual([...calls.keys()], [], 'stats() made no native call');
    h.hub.sweep();
    // One call reads the three; the one that left gets its last read (tcpState) and its close.
    assert.deepEqual(Object.fromEntries(calls), { tcpStates: 1, tcpState: 1, close: 1 }, 'the waiting listeners read in one call');
    assert.deepEqual((({ clients, peakClients }) => ({ clients, peakClients }))(h.hub.stats()), { clients: 2, peakClients: 2 });

    h.hub.setFormat('application/ogg', HEADERS);
    const later = [await connect(h.port), await connect(h.port), await connect(h.port)];
    h.page(2, 1000);
    assert.ok(await waitFor(() => later.every((c) => c.dataPages().length === 1) && early.slice(1).every((c) => c.dataPages().length === 1), 2000));
    later[0]!.socket.resetAndDestroy();
    later[1]!.socket.resetAndDestroy();
    await sleep(50);
    calls.clear();
    const before = h.hub.stats();
    assert.deepEqual([...calls.keys()], [], 'stats() made no native call');
    assert.equal(before.clients, 5);
    assert.equal(before.peakClients, 2, 'the peak is the sweeps\' count');
    h.hub.sweep();
    assert.deepEqual(Object.fromEntries(calls), { tcpStates: 1, tcpState: 2, close: 2 }, 'five listeners read in one call (a slice)');
    const after = h.hub.stats();
    assert.equal(after.clients, 3);
    assert.equal(after.peakClients, 3, 'counted once the two that left were closed');
    assert.equal(h.closed.length, 2);
    for (const c of [...early, ...later]) c.socket.destroy();
  } finally {
    await h.close();
  }
});

test('bytes of a listener that left count what it received, not pages handed to it after it left', { timeout: 10_000 }, async () => {
  const h = await startHub({ burst: { mode: 'latest-sync' } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    h.page(2, 3000);
    const client = await connect(h.port);
    h.page(3, 3000);
    assert.ok(await waitFor(() => client.dataPages().length === 2, 2000));
    client.socket.destroy(); // leaves without a word: a FIN, and a reset for whatever reaches it next
    await sleep(100);
    h.page(4, 3000); // the kernel takes it; the client's kernel answers with a reset
    await sleep(100);
    h.page(5, 3000); // refused: the connection was reset
    assert.ok(await waitFor(() => h.closed.length === 1, 2000), 'closed by the write that found it gone, before any sweep');
    assert.equal(client.dataPages().length, 2);
    assert.equal(h.closed[0]!.bytes, client.body().length, 'bytes in the access log = what the client received');
    assert.equal(h.hub.stats().bytesSent, client.body().length, 'bytes sent in the stats = what the client received');
  } finally {
    await h.close();
  }
});

test('a listener that half-closes (shuts down its sending side) is still a listener: it gets what follows', { timeout: 10_000 }, async () => {
  const h = await startHub({ burst: { mode: 'latest-sync' } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    h.page(2, 3000);
    const client = await connect(h.port);
    assert.ok(await waitFor(() => client.dataPages().length === 1, 2000));
    client.socket.end(); // FIN: the request is out, nothing more will come from this client
    await sleep(100);
    h.hub.sweep();
    for (let seq = 3; seq < 6; seq++) h.page(seq, 3000);
    h.hub.sweep();
    assert.ok(await waitFor(() => client.dataPages().length === 4, 2000), `got ${client.dataPages().length} pages`);
    assert.equal(h.hub.stats().clients, 1);
    assert.equal(h.closed.length, 0);
  } finally {
    await h.close();
  }
});

test('access log: the closed record formats to an Apache combined line with the bytes the client received', { timeout: 10_000 }, async () => {
  const h = await startHub({ burst: { mode: 'latest-sync' } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    h.page(2, 3000);
    const client = await connect(h.port, { path: '/live.ogg?from=test', userAgent: 'Test "Player"/1.0', referer: 'http://example.com/radio' });
    for (let seq = 3; seq < 8; seq++) h.page(seq, 3000);
    assert.ok(await waitFor(() => client.dataPages().length === 6, 2000));
    await sleep(1100);
    client.socket.destroy();
    await sleep(50);
    h.page(8, 3000); // reaches the one that left, whose kernel answers with a reset
    assert.ok(await waitFor(() => (h.hub.sweep(), h.closed.length === 1), 3000), 'a closed record once the sweep notices it left');
    const record = h.closed[0]!;
    const line = formatAccessLine(record);
    const match =
      /^(\S+) - - \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000\] "([^"\\]*(?:\\.[^"\\]*)*)" (\d{3}) (\d+) "([^"\\]*(?:\\.[^"\\]*)*)" "([^"\\]*(?:\\.[^"\\]*)*)" (\d+)$/.exec(line);
    assert.ok(match, `not an Apache combined line + seconds: ${line}`);
    assert.equal(match[1], '127.0.0.1');
    assert.equal(match[8], 'GET /live.ogg?from=test HTTP/1.1');
    assert.equal(match[9], '200');
    assert.equal(Number(match[10]), client.body().length, 'bytes: what the client received after the response header');
    assert.equal(match[11], 'http://example.com/radio');
    assert.equal(match[12], 'Test \\"Player\\"/1.0');
    assert.ok(Number(match[13]) >= 1, `seconds connected: ${match[13]}`);
    const date = new Date(Date.UTC(Number(match[4]), ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(match[3]!), Number(match[2]), Number(match[5]), Number(match[6]), Number(match[7])));
    assert.ok(Math.abs(date.getTime() - record.start) < 1000, `the time ${date.toISOString()} is the request's`);
  } finally {
    await h.close();
  }
});

/**
 * webmmux sets caps without streamheader, pushes the header pieces flagged as headers, then sets
 * caps that carry them; streamer-http may see the first caps alone and the second only with the
 * pieces. Some muxers flag headers and never put them in the caps.
 */
for (const capsGainHeaders of [true, false]) {
  const how = capsGainHeaders ? 'caps that gain streamheader after the header pieces' : 'headers only flagged, never in the caps';
  test(`${how}: listeners waiting, arriving between, and arriving later all get the headers once, then data`, { timeout: 10_000 }, async () => {
    const h = await startHub({ burst: { mode: 'latest-sync' } });
    const pieces = [Buffer.from('EBML-header-piece-1|'), Buffer.from('segment-and-tracks-piece-2|')];
    const headers = Buffer.concat(pieces);
    const data = [Buffer.from('cluster-1-keyframe|'), Buffer.from('block-2|'), Buffer.from('block-3|')];
    const clients: Client[] = [];
    try {
      const early = await connect(h.port, { path: '/live.webm', admitted: false });
      await sleep(50);
      h.hub.setFormat('video/webm', []);
      const between = await connect(h.port, { path: '/live.webm', admitted: false });
      assert.ok(await waitFor(() => h.hub.listenerCount === 2, 2000), 'the hub has both listeners');
      if (capsGainHeaders) h.hub.setFormat('video/webm', [headers]);
      for (const piece of pieces) h.hub.publish(piece, 0, BufferFlag.header | BufferFlag.deltaUnit);
      h.hub.publish(data[0]!, 0, 0);
      h.hub.publish(data[1]!, 0, BufferFlag.deltaUnit);
      const late = await connect(h.port, { path: '/live.webm', admitted: false });
      clients.push(early, between, late);
      assert.ok(await waitFor(() => h.hub.listenerCount === 3, 2000), 'the hub has the late listener');
      h.hub.publish(data[2]!, 0, BufferFlag.deltaUnit);
      // The late listener too gets every data buffer: latest-sync starts it at the cluster.
      const expected = Buffer.concat([headers, ...data]).toString();
      for (const [label, client] of [['waiting before the caps', early], ['arriving between caps and headers', between], ['arriving after data', late]] as const) {
        assert.ok(await waitFor(() => client.body().length >= expected.length, 2000), `${label}: got ${JSON.stringify(client.body().toString())}`);
        assert.match(client.head(), /\r\nContent-Type: video\/webm/i, label);
        assert.equal(client.body().toString(), expected, `${label}: the headers once, then the data from the cluster`);
      }
    } finally {
      for (const client of clients) client.socket.destroy();
      await h.close();
    }
  });
}

test('newStream: a connected listener gets the new stream headers in line and then its data; a listener coming meanwhile waits for it and starts with it', { timeout: 10_000 }, async () => {
  const h = await startHub({ burst: { mode: 'bytes', bytes: 100_000 } });
  try {
    h.hub.setFormat('application/ogg', HEADERS);
    for (let seq = 2; seq < 6; seq++) h.page(seq);
    const before = await connect(h.port);
    assert.ok(await waitFor(() => before.dataPages().length === 4, 2000));
    // The pipeline fails and is rebuilt: a new muxer, new serial numbers, new headers.
    h.hub.newStream();
    assert.equal(h.hub.isRestarting, true);
    const during = await connect(h.port, { admitted: false });
    const newHeaders = [synthPage(0, 30, { fill: 0x07, serial: 0xbeef }), synthPage(1, 200, { fill: 0x09, serial: 0xbeef })];
    h.hub.setFormat('application/ogg', newHeaders);
    for (const header of newHeaders) h.hub.publish(header, h.clock.now, BufferFlag.header);
    const newData = [2, 3].map((seq) => synthPage(seq, 1000, { serial: 0xbeef }));
    for (const page of newData) h.hub.publish(page, h.clock.now, 0);
    assert.equal(h.hub.isRestarting, false);
    assert.ok(await waitFor(() => oggPages(before.body()).length === 2 + 4 + 2 + 2, 2000), `${oggPages(before.body()).length} pages`);
    const seen = oggPages(before.body());
    assert.deepEqual(
      seen.map((p) => `${p.serial.toString(16)}:${p.sequence}`),
      ['5eed:0', '5eed:1', '5eed:2', '5eed:3', '5eed:4', '5eed:5', 'beef:0', 'beef:1', 'beef:2', 'beef:3'],
      'the old stream, then the new one from its headers on (a chained stream)',
    );
    assert.ok(await waitFor(() => oggPages(during.body()).length === 4, 2000), `${oggPages(during.body()).length} pages for the listener that came during the restart`);
    assert.deepEqual(
      oggPages(during.body()).map((p) => `${p.serial.toString(16)}:${p.sequence}`),
      ['beef:0', 'beef:1', 'beef:2', 'beef:3'],
      'only the new stream, however large the burst asked for',
    );
    h.hub.release('test');
    await before.ended;
    before.socket.destroy();
    during.socket.destroy();
  } finally {
    await h.close();
  }
});
