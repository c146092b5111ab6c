import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FileSender, Sent, StreamRequest } from '@flowcast/core';
import { entityTag, notModified, preconditionFails, rangeStillValid } from './file-response';
import { parseRange } from './ranges';

/** How a raw answer went, for the access log: its status and the bytes on the connection. */
export interface RawAnswer {
  status: number;
  bytes: Promise<number>;
}

function headText(status: number, headers: Record<string, string | number>): string {
  const lines = Object.entries({ ...headers, Date: new Date().toUTCString(), Connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n`;
}

/** An answer without a body (304, 412, 416): the head, then the connection closes. */
function headOnly(socket: Socket, status: number, headers: Record<string, string | number>): RawAnswer {
  const head = headText(status, headers);
  socket.end(head);
  socket.once('finish', () => socket.destroy());
  socket.once('error', () => socket.destroy());
  return { status, bytes: Promise.resolve(Buffer.byteLength(head)) };
}

/**
 * A GET of a recording answered on the connection itself, which the HTTP front hands over with
 * the request head it read: no HTTP parser, request or response object is made, and the file
 * sender writes the response head and the file (nginx's way, one packet for the head and the
 * first bytes). The same answers as serveFile (file-response.ts) for a GET with at most one range:
 * 304 and 412 for conditional requests, 206 for a range (If-Range honoured), 416 when it cannot
 * be met, 200 with the whole file. `fd` is the recording, open for reading; the caller closes it
 * (the file sender keeps its own duplicate).
 */
export function serveRawFile(socket: Socket, request: StreamRequest, fd: number, contentType: string, extraHeaders: Record<string, string>, sender: FileSender): RawAnswer {
  const stat = fs.fstatSync(fd);
  const tag = entityTag(stat);
  const common = { ...extraHeaders, 'Accept-Ranges': 'bytes', ETag: tag, 'Last-Modified': new Date(stat.mtimeMs).toUTCString(), 'Cache-Control': 'no-cache' };
  if (preconditionFails(request.headers, tag, stat.mtimeMs)) return headOnly(socket, 412, { ...common, 'Content-Length': 0 });
  if (notModified(request.headers, tag, stat.mtimeMs)) return headOnly(socket, 304, common);
  const asked = rangeStillValid(request.headers, tag, stat.mtimeMs) ? parseRange(request.headers.range, stat.size) : { kind: 'whole' as const };
  if (asked.kind === 'unsatisfiable') return headOnly(socket, 416, { ...common, 'Content-Range': `bytes */${stat.size}`, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
  // Several ranges are declined before this (archive-http answers them through Node); should any come, the whole file is sent, as HTTP allows.
  const range = asked.kind === 'ranges' && asked.ranges.length === 1 ? asked.ranges[0]! : { start: 0, end: stat.size - 1 };
  const status = asked.kind === 'ranges' && asked.ranges.length === 1 ? 206 : 200;
  const length = range.end - range.start + 1;
  const head = Buffer.from(
    headText(status, { ...common, 'Content-Type': contentType, ...(status === 206 ? { 'Content-Range': `bytes ${range.start}-${range.end}/${stat.size}` } : {}), 'Content-Length': length }),
    'latin1',
  );
  if (length <= 0) return headOnly(socket, status, { ...common, 'Content-Type': contentType, 'Content-Length': 0 });
  const transfer = sender.send(socket, fd, range.start, range.end + 1, { adopt: true, head });
  return { status, bytes: transfer.done.then((sent: Sent) => head.length + sent.bytes) };
}
