/**
 * Shared helpers for the streamer-http tests: flow files for a test tone served over HTTP, a
 * small Ogg page reader to check what a listener received, and a raw-socket HTTP exchange for
 * checks that Node's HTTP client would hide (chunk framing, bytes after a HEAD response).
 */
import net from 'node:net';
import path from 'node:path';
import type { ListenerPolicy } from '../src/policy';

/** A hub's policy for tests that drive a StreamHub directly: no burst, no limits, the default lags. */
export const HUB_TEST_POLICY: ListenerPolicy = {
  burst: { mode: 'off' },
  softLagMs: 5000,
  hardLagMs: 30_000,
  idleTimeoutMs: 0,
  maxClientBuffer: 1024 * 1024,
  clientLimit: 0,
  bandwidthLimit: 0,
};

/** The repository root (this file runs from plugins/streamer-http/dist/test/). */
export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export interface StreamerSpec {
  name: string;
  port: number;
  mount: string;
  /** More properties, in YAML flow style: `station-name: "Radio"`. */
  more?: string;
}

/** A flow: test tone → Vorbis → Ogg → one streamer-http component per spec. */
export function toneFlow(streamers: StreamerSpec[], name = 'streamer-test'): string {
  const lines = [
    `name: ${name}`,
    'components:',
    '  tone:',
    '    type: producer-test',
    '    properties: { wave: sine, frequency: 440, volume: 0.5 }',
    '  encoder:',
    '    type: encoder-vorbis',
    '    eats: tone',
    '  muxer:',
    '    type: muxer-ogg',
    '    eats: encoder',
  ];
  for (const s of streamers) {
    lines.push(`  ${s.name}:`, '    type: streamer-http', '    eats: muxer', `    properties: { mount: ${s.mount}, port: ${s.port}${s.more ? `, ${s.more}` : ''} }`);
  }
  return lines.join('\n') + '\n';
}

export interface OggPage {
  offset: number;
  /** Header type flags: 0x01 continued, 0x02 beginning of stream, 0x04 end of stream. */
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** The page's payload (its packets' bytes). */
  body: Buffer;
}

/**
 * Split received bytes into Ogg pages. Throws if the bytes do not start with a page or if a page
 * boundary is not where the previous page's lengths say; a truncated last page is left out.
 */
export function oggPages(data: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  let offset = 0;
  while (offset + 27 <= data.length) {
    if (data.toString('latin1', offset, offset + 4) !== 'OggS') throw new Error(`no Ogg page at byte ${offset} (found ${JSON.stringify(data.toString('latin1', offset, offset + 4))})`);
    const segments = data[offset + 26]!;
    if (offset + 27 + segments > data.length) break;
    let bodyLength = 0;
    for (let i = 0; i < segments; i++) bodyLength += data[offset + 27 + i]!;
    const end = offset + 27 + segments + bodyLength;
    if (end > data.length) break;
    pages.push({
      offset,
      flags: data[offset + 5]!,
      granule: data.readBigInt64LE(offset + 6),
      serial: data.readUInt32LE(offset + 14),
      sequence: data.readUInt32LE(offset + 18),
      body: data.subarray(offset + 27 + segments, end),
    });
    offset = end;
  }
  return pages;
}

/**
 * Check that `data` is a stream a decoder can start on at its first byte: a beginning-of-stream
 * page carrying the Vorbis identification header, the comment and setup headers, then audio pages
 * of the same logical stream whose sequence numbers follow one another without a gap.
 * Returns the pages.
 */
export function assertStartsWithVorbisHeaders(data: Buffer, label: string): OggPage[] {
  const pages = oggPages(data);
  if (pages.length < 3) throw new Error(`${label}: only ${pages.length} complete Ogg pages in ${data.length} bytes`);
  const first = pages[0]!;
  if (first.offset !== 0) throw new Error(`${label}: the first page is not at byte 0`);
  if ((first.flags & 0x02) === 0) throw new Error(`${label}: the first page is not a beginning-of-stream page (flags ${first.flags})`);
  if (!first.body.subarray(0, 7).equals(Buffer.from('\x01vorbis', 'latin1'))) throw new Error(`${label}: the first page does not carry the Vorbis identification header`);
  const headerBytes = Buffer.concat(pages.slice(0, 3).map((p) => p.body));
  if (!headerBytes.includes(Buffer.from('\x03vorbis', 'latin1'))) throw new Error(`${label}: no Vorbis comment header near the start`);
  if (!headerBytes.includes(Buffer.from('\x05vorbis', 'latin1'))) throw new Error(`${label}: no Vorbis setup header near the start`);
  for (const page of pages) {
    if (page.serial !== first.serial) throw new Error(`${label}: page at byte ${page.offset} belongs to another logical stream`);
  }
  return pages;
}

/** The audio pages (after the header pages, whose granule position is 0). */
export function audioPages(pages: OggPage[]): OggPage[] {
  return pages.filter((p) => p.granule > 0n);
}

/** Throw if sequence numbers of consecutive pages skip (a page lost or sent twice). */
export function assertContiguous(pages: OggPage[], label: string): void {
  for (let i = 1; i < pages.length; i++) {
    if (pages[i]!.sequence !== pages[i - 1]!.sequence + 1) {
      throw new Error(`${label}: page ${i} has sequence ${pages[i]!.sequence} after ${pages[i - 1]!.sequence}`);
    }
  }
}

export interface RawResponse {
  /** The status line and header lines, as sent. */
  head: string;
  status: number;
  headers: Map<string, string>;
  /** The bytes after the blank line that ends the header, exactly as sent. */
  body: Buffer;
  /** Whether the server closed the connection before `waitMs` ran out (false if the response was complete first). */
  closedByServer: boolean;
}

/**
 * Send `request` (a whole HTTP/1.1 request, text) over a plain TCP socket and collect what comes
 * back for at most `waitMs`, or until `maxBytes` arrived, or the server closes.
 */
export function rawExchange(port: number, request: string, options: { waitMs?: number; maxBytes?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(new Error(`no complete response header in ${all.length} bytes: ${JSON.stringify(all.toString('latin1').slice(0, 200))}`));
        return;
      }
      const head = all.toString('latin1', 0, split);
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = new Map<string, string>();
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ head, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body: all.subarray(split + 4), closedByServer });
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 3000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if ((options.maxBytes !== undefined && length >= options.maxBytes) || isComplete(Buffer.concat(chunks))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('error', (error) => {
      if (chunks.length > 0) finish(true);
      else if (!done) {
        done = true;
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

/** Whether a response with a length (Content-Length, or chunked) has all arrived. */
function isComplete(all: Buffer): boolean {
  const split = all.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const head = all.toString('latin1', 0, split).toLowerCase();
  const body = all.subarray(split + 4);
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  if (length !== undefined) return body.length >= Number(length);
  return /\r\ntransfer-encoding:\s*chunked/.test(head) && body.toString('latin1').endsWith('0\r\n\r\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `condition` every 10 ms until it holds or `timeoutMs` passes; resolve with whether it held. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await sleep(10);
  }
  return condition();
}

/** Run `task` over `items` with at most `limit` running at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The URLs a running flow announced. `startFlow` resolves as soon as "is running" is printed and
 * the URL lines may arrive in a later chunk of stdout, so wait for `count` of them here.
 */
export async function announcedUrls(flow: { stdout(): string }, count: number, timeoutMs = 2000): Promise<string[]> {
  const urls = (): string[] => [...flow.stdout().matchAll(/(https?:\/\/\S+)/g)].map((m) => m[1]!);
  await waitFor(() => urls().length >= count, timeoutMs);
  return urls();
}

/** Resolve as `promise` does, or reject with `message` after `ms` (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
