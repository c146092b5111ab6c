import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Connection, drained, socketDescriptor, type FileSender, type Sent } from '@flowcast/core';
import { parseRange, type ByteRange } from './ranges';

/** Read size per chunk: what one listener holds in memory at most, besides the socket's buffer. */
const CHUNK = 64 * 1024;

/** What a file answer became: its status, and for a body sent by the file sender, how it ended. */
export interface FileAnswer {
  status: number;
  /** Bytes of body promised. */
  length: number;
  sent?: Promise<Sent>;
  /** Bytes of the response head the file sender wrote (Node wrote none on that connection). */
  headBytes?: number;
}

/**
 * The validator of a file as it is now: its size and modification time (a recording being written
 * grows, so its tag changes with it). Strong: equal tags mean equal bytes for files that are only
 * appended to.
 */
export function entityTag(stat: fs.Stats): string {
  return `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
}

function matchesTag(header: string, tag: string): boolean {
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === tag);
}

/** Whether the client's copy is current (If-None-Match, else If-Modified-Since): answer 304. */
/** Request headers as Node's parser or the HTTP front's head reader gives them (names in lower case). */
type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function notModified(headers: Headers, tag: string, modified: number): boolean {
  const noneMatch = header(headers, 'if-none-match');
  if (noneMatch !== undefined) return matchesTag(noneMatch, tag);
  const since = Date.parse(header(headers, 'if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(modified / 1000) * 1000 <= since;
}

/** Whether a precondition fails (If-Match, else If-Unmodified-Since): answer 412. */
export function preconditionFails(headers: Headers, tag: string, modified: number): boolean {
  const match = header(headers, 'if-match');
  if (match !== undefined) return !matchesTag(match, tag);
  const since = Date.parse(header(headers, 'if-unmodified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(modified / 1000) * 1000 > since;
}

/** Whether a Range applies: no If-Range, or one naming the current tag or date. */
export function rangeStillValid(headers: Headers, tag: string, modified: number): boolean {
  const ifRange = header(headers, 'if-range');
  if (ifRange === undefined) return true;
  if (ifRange.trim().startsWith('"') || ifRange.trim().startsWith('W/')) return ifRange.trim() === tag;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(modified / 1000) * 1000 === date;
}

/**
 * Answer a GET or HEAD for a file: conditional requests (304, 412), byte ranges (206 with one
 * range, multipart/byteranges with several, 416 when none can be met), streamed from disk a chunk
 * at a time as the client takes it.
 */
export async function serveFile(
  request: IncomingMessage,
  response: ServerResponse,
  file: string,
  contentType: string,
  extraHeaders: Record<string, string>,
  sender: FileSender,
  until?: number,
): Promise<FileAnswer> {
  // Opened and examined synchronously, as nginx does: a thread-pool round trip per call costs more
  // than the call itself on a local disk, and every listener starts with these.
  const descriptor = fs.openSync(file, 'r');
  const fd = readerOf(descriptor);
  try {
    const stat = fs.fstatSync(descriptor);
    const tag = entityTag(stat);
    const common = {
      ...extraHeaders,
      'Accept-Ranges': 'bytes',
      ETag: tag,
      'Last-Modified': new Date(stat.mtimeMs).toUTCString(),
      'Cache-Control': 'no-cache',
    };
    if (preconditionFails(request.headers, tag, stat.mtimeMs)) {
      response.writeHead(412, { ...common, 'Content-Length': 0 }).end();
      return { status: 412, length: 0 };
    }
    if (notModified(request.headers, tag, stat.mtimeMs)) {
      response.writeHead(304, common).end();
      return { status: 304, length: 0 };
    }
    const asked = rangeStillValid(request.headers, tag, stat.mtimeMs) ? parseRange(request.headers.range, stat.size) : { kind: 'whole' as const };
    const head = request.method === 'HEAD';
    if (asked.kind === 'unsatisfiable') {
      response.writeHead(416, { ...common, 'Content-Range': `bytes */${stat.size}`, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 }).end();
      return { status: 416, length: 0 };
    }
    if (asked.kind === 'whole' || asked.ranges.length === 1) {
      const range = asked.kind === 'whole' ? { start: 0, end: stat.size - 1 } : asked.ranges[0]!;
      const length = range.end - range.start + 1;
      // The file sender adopts the connection (the Node socket is let go, the connection closes
      // after the body; the HTTP front closes every connection after its answer anyway): a
      // listener then costs a descriptor and an offset.
      const adopt = !head && length > 0 && socketDescriptor(response.socket!) !== undefined;
      const status = asked.kind === 'whole' ? 200 : 206;
      response.writeHead(status, {
        ...common,
        'Content-Type': contentType,
        ...(status === 206 ? { 'Content-Range': `bytes ${range.start}-${range.end}/${stat.size}` } : {}),
        'Content-Length': length,
        ...(adopt ? { Connection: 'close' } : {}),
      });
      if (head) {
        response.end();
        return { status, length };
      }
      const started = await sendOne(response, fd, range, sender, adopt, until);
      return { status, length, sent: started.ended, ...(started.headBytes ? { headBytes: started.headBytes } : {}) };
    }
    const boundary = randomBytes(12).toString('hex');
    const partHeads = asked.ranges.map((r) => Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${r.start}-${r.end}/${stat.size}\r\n\r\n`, 'latin1'));
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
    const length = partHeads.reduce((n, h) => n + h.length, 0) + asked.ranges.reduce((n, r) => n + r.end - r.start + 1, 0) + tail.length;
    response.writeHead(206, { ...common, 'Content-Type': `multipart/byteranges; boundary=${boundary}`, 'Content-Length': length });
    if (head) response.end();
    else await send(response, fd, asked.ranges, partHeads, tail);
    return { status: 206, length };
  } finally {
    fs.closeSync(descriptor);
  }
}

/** What reading a range needs of an open file. */
export interface RangeReader {
  readonly fd: number;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** A raw descriptor as a RangeReader (reads go through the thread pool, as FileHandle's do). */
function readerOf(fd: number): RangeReader {
  return {
    fd,
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) => fs.read(fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve({ bytesRead })))),
  };
}

/**
 * One range of a file after the response head, with sendfile(2) through the file sender once the
 * head has reached the kernel (nothing passes through the process, a listener costs no buffer),
 * or through a stream when the socket has no descriptor. Resolves once the transfer has started,
 * to how it ends.
 */
async function sendOne(response: ServerResponse, fd: RangeReader, range: ByteRange, sender: FileSender, adopt: boolean, until?: number): Promise<{ ended: Promise<Sent>; headBytes?: number }> {
  const socket = response.socket;
  const length = range.end - range.start + 1;
  if (!socket || socketDescriptor(socket) === undefined || length <= 0) {
    await send(response, fd, [range]);
    return { ended: Promise.resolve({ bytes: length }) };
  }
  const head = adopt ? pendingHead(response) : undefined;
  if (head) {
    // The head goes with the file, written by the file sender: Node writes nothing on this connection.
    const transfer = sender.send(Connection.of(socket), fd.fd, range.start, range.end + 1, { adopt, head });
    const expiry = until === undefined ? undefined : setTimeout(transfer.cancel, Math.max(0, until - Date.now()));
    return { ended: ending(transfer.done, expiry), headBytes: head.length };
  }
  response.flushHeaders();
  await drained(socket);
  if (socket.destroyed) return { ended: Promise.resolve({ bytes: 0, error: 'the client left' }) };
  const transfer = sender.send(Connection.of(socket), fd.fd, range.start, range.end + 1, { adopt });
  // The credentials expire: so does the transfer, however long it runs.
  const expiry = until === undefined ? undefined : setTimeout(transfer.cancel, Math.max(0, until - Date.now()));
  return { ended: adopt ? ending(transfer.done, expiry) : endingResponse(transfer.done, expiry, response) };
}

/**
 * The response head Node has composed (writeHead) but not written, when nothing else is queued on
 * the connection: the file sender can write it itself. Node keeps it in `_header` until sent.
 */
function pendingHead(response: ServerResponse): Buffer | undefined {
  const state = response as unknown as { _header?: unknown; _headerSent?: boolean };
  if (state._headerSent !== false || typeof state._header !== 'string' || (response.socket?.writableLength ?? 1) > 0) return undefined;
  return Buffer.from(state._header, 'latin1');
}

/** How an adopted transfer ends (nothing of the connection held: its Node objects can go). */
function ending(done: Promise<Sent>, expiry: NodeJS.Timeout | undefined): Promise<Sent> {
  return done.then((sent) => {
    if (expiry) clearTimeout(expiry);
    return sent;
  });
}

/** How a transfer on a socket Node keeps ends: the response is ended, or the connection closed. */
function endingResponse(done: Promise<Sent>, expiry: NodeJS.Timeout | undefined, response: ServerResponse): Promise<Sent> {
  return done.then((sent) => {
    if (expiry) clearTimeout(expiry);
    if (sent.error === undefined) response.end();
    else response.socket?.destroy();
    return sent;
  });
}

/** Stream the ranges of an open file (with a head before each and a tail after all), honouring backpressure. */
async function send(response: ServerResponse, fd: RangeReader, ranges: ByteRange[], heads: Buffer[] = [], tail?: Buffer): Promise<void> {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < ranges.length; i++) {
      if (heads[i]) yield heads[i]!;
      yield* readRange(fd, ranges[i]!.start, ranges[i]!.end + 1);
    }
    if (tail) yield tail;
  }
  try {
    await pipeline(Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK }), response);
  } catch {
    // The client went away: nothing to answer.
  }
}

/** Bytes [from, to) of an open file, a chunk at a time. */
export async function* readRange(fd: RangeReader, from: number, to: number): AsyncGenerator<Buffer> {
  let position = from;
  while (position < to) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, to - position));
    const { bytesRead } = await fd.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
