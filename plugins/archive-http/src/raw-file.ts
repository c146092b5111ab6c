import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Connection, FileSender, Sent, StreamRequest } from '@flowcast/core';
import { entityTag, notModified, preconditionFails, rangeStillValid } from './file-response';
import { parseRange } from './ranges';

/** How a raw answer went, for the access log and the counters: its status and what went on the connection. */
export interface RawAnswer {
  status: number;
  /** Bytes of the response head. */
  headBytes: number;
  /** How the body's transfer ends, when there is a body. */
  sent?: Promise<Sent>;
}

/** Response header lines, `Name: value` and CRLF each, in the order given. */
function headerLines(headers: Readonly<Record<string, string>>): string {
  let lines = '';
  for (const name in headers) lines += `${name}: ${headers[name]}\r\n`;
  return lines;
}

/** A whole response head, with `lines` (header lines) between the status line and Date. */
function headText(status: number, lines: string): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines}Date: ${new Date().toUTCString()}\r\nConnection: close\r\n\r\n`;
}

/** An answer without a body (304, 412, 416, an empty file): the head, then the connection closes. */
function headOnly(connection: Connection, status: number, lines: string): RawAnswer {
  const head = headText(status, lines);
  const socket = connection.socket();
  socket.end(head);
  socket.once('finish', () => socket.destroy());
  return { status, headBytes: Buffer.byteLength(head) };
}

/**
 * A GET of a recording answered on the connection itself, which the HTTP front hands over with
 * the request head it read: no Socket, HTTP parser, request or response object is made, and the
 * file sender writes the response head and the file (nginx's way, one packet for the head and the
 * first bytes). The same answers as serveFile (file-response.ts) for a GET with at most one range:
 * 304 and 412 for conditional requests, 206 for a range (If-Range honoured), 416 when it cannot
 * be met, 200 with the whole file. `fd` is the recording, open for reading; the caller closes it
 * (the file sender keeps its own duplicate). The head is written as one string: every listener
 * starts here, and what it allocates is what the garbage collector spends its time on.
 */
export function serveRawFile(connection: Connection, request: StreamRequest, fd: number, contentType: string, extraHeaders: Readonly<Record<string, string>>, sender: FileSender): RawAnswer {
  const stat = fs.fstatSync(fd);
  const tag = entityTag(stat);
  const common = `${headerLines(extraHeaders)}Accept-Ranges: bytes\r\nETag: ${tag}\r\nLast-Modified: ${new Date(stat.mtimeMs).toUTCString()}\r\nCache-Control: no-cache\r\n`;
  if (preconditionFails(request.headers, tag, stat.mtimeMs)) return headOnly(connection, 412, `${common}Content-Length: 0\r\n`);
  if (notModified(request.headers, tag, stat.mtimeMs)) return headOnly(connection, 304, common);
  const asked = rangeStillValid(request.headers, tag, stat.mtimeMs) ? parseRange(request.headers.range, stat.size) : { kind: 'whole' as const };
  if (asked.kind === 'unsatisfiable') return headOnly(connection, 416, `${common}Content-Range: bytes */${stat.size}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n`);
  // Several ranges are declined before this (archive-http answers them through Node); should any come, the whole file is sent, as HTTP allows.
  const one = asked.kind === 'ranges' && asked.ranges.length === 1 ? asked.ranges[0]! : undefined;
  const range = one ?? { start: 0, end: stat.size - 1 };
  const length = range.end - range.start + 1;
  const status = one ? 206 : 200;
  const lines = `${common}Content-Type: ${contentType}\r\n${one ? `Content-Range: bytes ${range.start}-${range.end}/${stat.size}\r\n` : ''}Content-Length: ${Math.max(0, length)}\r\n`;
  if (length <= 0) return headOnly(connection, status, lines);
  const head = Buffer.from(headText(status, lines), 'latin1');
  const transfer = sender.send(connection, fd, range.start, range.end + 1, { adopt: true, head });
  return { status, headBytes: head.length, sent: transfer.done };
}
