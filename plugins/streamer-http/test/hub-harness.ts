/**
 * The hub tests' harness: a StreamHub behind a node:http server whose handler hands the request's
 * socket to the hub (as streamer-http does), and raw TCP listeners that read, stop reading and
 * leave.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Connection, type AccessRecord } from '@flowcast/core';
import type { ListenerPolicy } from '../src/policy';
import { loadNative, type FanoutAddon } from '../src/native';
import { StreamHub } from '../src/stream-hub';
import { synthPage } from './ogg-build';
import { HUB_TEST_POLICY, oggPages, waitFor, type OggPage } from './support';

export const HEADERS = [synthPage(0, 30, { fill: 0x01 }), synthPage(1, 200, { fill: 0x03 })];
export const HEADER_BYTES = HEADERS.reduce((n, h) => n + h.length, 0);

export interface Harness {
  hub: StreamHub;
  port: number;
  /** The hub's clock: moved by hand, unless the harness was started with the real one. */
  clock: { now: number };
  closed: AccessRecord[];
  dropped: string[];
  /** performance.now() at each drop. */
  droppedAt: number[];
  /** Publish data page `sequence` (2, 3, …); sync unless `continued`. */
  page(sequence: number, bodyLength?: number, continued?: boolean): Buffer;
  close(): Promise<void>;
}

/** The addon with each call counted by name in `calls` (tests that check which system calls a hub method makes). */
function countingAddon(addon: FanoutAddon, calls: Map<string, number>): FanoutAddon {
  const counted: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(addon)) {
    const value = (addon as unknown as Record<string, unknown>)[name];
    counted[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            calls.set(name, (calls.get(name) ?? 0) + 1);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return counted as unknown as FanoutAddon;
}

export async function startHub(policy: Partial<ListenerPolicy> = {}, options: { realClock?: boolean; calls?: Map<string, number> } = {}): Promise<Harness> {
  const clock = { now: 0 };
  const closed: AccessRecord[] = [];
  const dropped: string[] = [];
  const droppedAt: number[] = [];
  const hub = new StreamHub({ ...HUB_TEST_POLICY, ...policy }, options.realClock ? () => performance.now() : () => clock.now, {
    dropped: (_request, reason) => {
      dropped.push(reason);
      droppedAt.push(performance.now());
    },
    closed: (record) => closed.push(record),
  }, options.calls ? countingAddon(loadNative(), options.calls) : loadNative());
  const server = http.createServer((request) => {
    // As StreamerHttp.serve does: from here the hub writes the response to the socket itself.
    const socket = request.socket;
    hub.add(Connection.of(socket), {
      remoteAddress: socket.remoteAddress ?? '-',
      remotePort: socket.remotePort ?? 0,
      requestLine: `${request.method} ${request.url} HTTP/${request.httpVersion}`,
      ...(request.headers.referer ? { referer: request.headers.referer } : {}),
      ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hub,
    port: (server.address() as AddressInfo).port,
    clock,
    closed,
    dropped,
    droppedAt,
    page: (sequence, bodyLength = 1000, continued = false) => {
      const page = synthPage(sequence, bodyLength, { continued });
      hub.publish(page);
      return page;
    },
    close: () =>
      new Promise((resolve) => {
        hub.closeAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A raw TCP listener: sends a GET, keeps every byte it receives, can stop reading and leave. */
export interface Client {
  socket: net.Socket;
  /** The bytes after the response header. */
  body(): Buffer;
  head(): string;
  /** Data pages received (after the two header pages), each with its Ogg sequence number. */
  dataPages(): OggPage[];
  ended: Promise<void>;
}

/**
 * `admitted: false`: return once the request is sent, without waiting for the hub to answer.
 * `admitWithinMs`: how long the response and stream headers may take (2 s).
 */
export async function connect(port: number, options: { path?: string; userAgent?: string; referer?: string; paused?: boolean; admitted?: boolean; admitWithinMs?: number } = {}): Promise<Client> {
  const chunks: Buffer[] = [];
  let all = Buffer.alloc(0);
  let dirty = false;
  // Read through `onread`: socket.pause() then stops the reads from the kernel at once, where a
  // paused Node stream goes on reading up to its highWaterMark into memory.
  const socket = net.connect({
    port,
    host: '127.0.0.1',
    onread: {
      buffer: Buffer.alloc(64 * 1024),
      callback: (n: number, buffer: Uint8Array): boolean => {
        chunks.push(Buffer.from(buffer.subarray(0, n)));
        dirty = true;
        return true;
      },
    },
  });
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  const bytes = (): Buffer => {
    if (dirty) {
      all = Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(all);
      dirty = false;
    }
    return all;
  };
  const split = (): number => bytes().indexOf('\r\n\r\n');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const headers = [`GET ${options.path ?? '/live.ogg'} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  if (options.userAgent) headers.push(`User-Agent: ${options.userAgent}`);
  if (options.referer) headers.push(`Referer: ${options.referer}`);
  socket.write(headers.join('\r\n') + '\r\n\r\n');
  const client: Client = {
    socket,
    head: () => (split() < 0 ? '' : bytes().toString('latin1', 0, split())),
    body: () => (split() < 0 ? Buffer.alloc(0) : bytes().subarray(split() + 4)),
    dataPages: () => oggPages(client.body()).slice(HEADERS.length),
    ended,
  };
  if (options.admitted === false) return client;
  // Wait for the response header and the stream headers: the hub has admitted this listener.
  assert.ok(await waitFor(() => client.body().length >= HEADER_BYTES, options.admitWithinMs ?? 2000), `no stream headers: ${JSON.stringify(client.head())}`);
  if (options.paused) socket.pause();
  return client;
}

/** Whether `pages` have consecutive sequence numbers from `first` to `last`. */
export function assertSequences(pages: OggPage[], first: number, last: number, label: string): void {
  assert.deepEqual(
    pages.map((p) => p.sequence),
    Array.from({ length: last - first + 1 }, (_, i) => first + i),
    label,
  );
}

