/**
 * StreamHub on real sockets: a node:http server whose handler hands each response to the hub, and
 * real HTTP clients that join, leave, and stop reading.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { StreamHub } from '../src/stream-hub';
import { waitFor, within } from './support';

const HEADERS = [Buffer.from('header-one|'), Buffer.from('header-two|')];

interface Harness {
  hub: StreamHub;
  url: string;
  /** Responses the hub gave up on as too slow, with their backlog at that moment. */
  slow: { response: http.ServerResponse; buffered: number }[];
  close(): Promise<void>;
}

async function startHub(maxClientBuffer = 4 * 1024 * 1024): Promise<Harness> {
  const slow: Harness['slow'] = [];
  const hub = new StreamHub(maxClientBuffer, (response) => slow.push({ response, buffered: response.writableLength }));
  const server = http.createServer((_request, response) => {
    // As StreamerHttp.serve does for a live stream: raw bytes, closed at the end.
    response.useChunkedEncodingByDefault = false;
    response.shouldKeepAlive = false;
    hub.add(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    url: `http://127.0.0.1:${port}/`,
    slow,
    close: () =>
      new Promise((resolve) => {
        hub.closeAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A real HTTP client: collects what it receives, and can pause or leave. */
interface Listener {
  request: http.ClientRequest;
  response: Promise<http.IncomingMessage>;
  received(): Buffer;
  /** Start reading (for a listener made paused). */
  resume(): void;
  closed: Promise<void>;
}

function listen(url: string, options: { paused?: boolean } = {}): Listener {
  const chunks: Buffer[] = [];
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const request = http.get(url, { agent: false });
  let current: http.IncomingMessage | undefined;
  const read = (res: http.IncomingMessage): void => {
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.resume();
  };
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.on('response', (res) => {
      current = res;
      res.on('error', () => undefined);
      res.on('close', onClosed);
      if (options.paused) res.pause();
      else read(res);
      resolve(res);
    });
    request.on('error', (error) => {
      onClosed();
      reject(error);
    });
  });
  response.catch(() => undefined);
  request.on('close', onClosed);
  return {
    request,
    response,
    received: () => Buffer.concat(chunks),
    resume: () => {
      if (current) read(current);
    },
    closed,
  };
}

let harness: Harness;
before(async () => {
  harness = await startHub();
});
after(async () => {
  await harness.close();
});

test('a listener that disconnects is removed from the hub at once, with no data flowing', { timeout: 5000 }, async () => {
  const { hub, url } = harness;
  hub.setFormat('application/ogg', HEADERS);
  const a = listen(url);
  const b = listen(url);
  await within(Promise.all([a.response, b.response]), 2000, 'no response header');
  assert.ok(await waitFor(() => hub.snapshot().clients === 2, 1000), `clients: ${hub.snapshot().clients}`);

  a.request.destroy();
  // Nothing is broadcast: the hub must notice the closed socket itself, not on its next write.
  assert.ok(await waitFor(() => hub.snapshot().clients === 1, 300), `after one left, clients: ${hub.snapshot().clients}`);

  // The one still there keeps receiving, and broadcasting after a departure does not throw.
  hub.broadcast(Buffer.from('live-1|'));
  assert.ok(await waitFor(() => b.received().toString().endsWith('live-1|'), 1000), b.received().toString());
  assert.equal(b.received().toString(), 'header-one|header-two|live-1|');

  b.request.destroy();
  assert.ok(await waitFor(() => hub.snapshot().clients === 0, 300), `after both left, clients: ${hub.snapshot().clients}`);
  assert.equal(hub.snapshot().peakClients, 2);
  assert.equal(hub.snapshot().slowDisconnects, 0);
});

test('a listener waiting for the stream format that disconnects is removed too', { timeout: 5000 }, async () => {
  const waiting = await startHub();
  try {
    const a = listen(waiting.url);
    assert.ok(await waitFor(() => waiting.hub.snapshot().clients === 1, 1000), `clients: ${waiting.hub.snapshot().clients}`);
    a.request.destroy();
    assert.ok(await waitFor(() => waiting.hub.snapshot().clients === 0, 300), `clients: ${waiting.hub.snapshot().clients}`);
    // When the format arrives, nothing is written to the departed listener's response.
    waiting.hub.setFormat('application/ogg', HEADERS);
    waiting.hub.broadcast(Buffer.from('live|'));
    assert.equal(waiting.hub.snapshot().clients, 0);
    assert.equal(waiting.hub.snapshot().bytesSent, 0);
  } finally {
    await waiting.close();
  }
});

test('a late listener gets the headers first, then live data from the next buffer, and headers are not repeated', { timeout: 5000 }, async () => {
  const { hub, url } = harness;
  hub.setFormat('application/ogg', HEADERS);
  const early = listen(url);
  const earlyResponse = await within(early.response, 2000, 'no response header');
  assert.equal(earlyResponse.headers['content-type'], 'application/ogg');
  assert.equal(earlyResponse.headers['transfer-encoding'], undefined);
  hub.broadcast(Buffer.from('live-1|'));
  await waitFor(() => early.received().toString().endsWith('live-1|'), 1000);

  const late = listen(url);
  await within(late.response, 2000, 'no response header for the late listener');
  await waitFor(() => hub.snapshot().clients === 2, 1000);
  hub.broadcast(Buffer.from(HEADERS[0]!)); // a header page seen again on the sink (equal bytes, another Buffer)
  hub.broadcast(Buffer.from('live-2|'));
  await waitFor(() => late.received().toString().endsWith('live-2|') && early.received().toString().endsWith('live-2|'), 1000);

  assert.equal(early.received().toString(), 'header-one|header-two|live-1|live-2|');
  assert.equal(late.received().toString(), 'header-one|header-two|live-2|');
  early.request.destroy();
  late.request.destroy();
  assert.ok(await waitFor(() => hub.snapshot().clients === 0, 300));
});

test('a listener that stops reading is disconnected once its backlog passes max-client-buffer; others keep going', { timeout: 20_000 }, async () => {
  const MAX = 256 * 1024;
  const small = await startHub(MAX);
  try {
    const { hub } = small;
    hub.setFormat('application/ogg', HEADERS);
    const stalled = listen(small.url, { paused: true });
    const reader = listen(small.url);
    await within(Promise.all([stalled.response, reader.response]), 2000, 'no response header');
    assert.ok(await waitFor(() => hub.snapshot().clients === 2, 1000));

    // Feed 64 KiB buffers, letting the event loop run between them so the fast reader drains and
    // the stalled one's kernel buffers fill; stop once the hub has given up on the stalled one.
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const limit = 512 * 1024 * 1024;
    while (hub.snapshot().slowDisconnects === 0 && sent < limit) {
      hub.broadcast(chunk);
      sent += chunk.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(hub.snapshot().slowDisconnects, 1, `no slow disconnect after ${sent} bytes`);
    assert.equal(small.slow.length, 1, 'onSlowClient was called once');
    // The hub let the backlog grow past the limit by at most the one buffer written last.
    const { response: slowResponse, buffered } = small.slow[0]!;
    assert.ok(buffered > MAX && buffered <= MAX + chunk.length, `backlog ${buffered} when disconnected`);
    assert.ok(slowResponse.destroyed, 'the slow response is destroyed');
    assert.ok(await waitFor(() => hub.snapshot().clients === 1, 1000), `clients: ${hub.snapshot().clients}`);

    // The stalled client's connection is really closed: once it reads again, it gets what was
    // already in flight and then the end of the connection, well short of what was broadcast.
    stalled.resume();
    await within(stalled.closed, 3000, 'the stalled client was not disconnected');
    assert.ok(stalled.received().length < sent, `the stalled client got ${stalled.received().length} of ${sent} bytes`);
    assert.ok(stalled.received().subarray(0, 22).equals(Buffer.concat(HEADERS)), 'the stalled client got the headers first');

    // The reader was not counted as slow, is still connected, and got everything sent so far.
    hub.broadcast(Buffer.from('after|'));
    const expected = HEADERS.reduce((n, h) => n + h.length, 0) + sent + 'after|'.length;
    assert.ok(await waitFor(() => reader.received().length === expected, 5000), `reader got ${reader.received().length} of ${expected} bytes`);
    assert.ok(reader.received().subarray(-6).equals(Buffer.from('after|')));
    assert.equal(hub.snapshot().slowDisconnects, 1);
    reader.request.destroy();
  } finally {
    await small.close();
  }
});
