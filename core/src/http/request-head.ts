import type { FrontSettings } from './front-settings';

/** A request as read off the socket by the HTTP front, before any HTTP machinery sees it. */
export interface RequestHead {
  method: string;
  /** The request target as sent, with its query string (a fragment, which clients should not send, removed). */
  url: string;
  /** The path without the query string; for an absolute-form target (`http://host/x`), its path. */
  path: string;
  httpVersion: string;
  /** Header names in lower case; a header sent on several lines is joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
}

/** Why a head is refused, as the status to answer and a sentence for the client and the stats. */
export interface HeadRefusal {
  status: 400 | 414 | 431 | 505;
  reason: string;
}

export type HeadScan =
  | { kind: 'incomplete' }
  | { kind: 'refused'; refusal: HeadRefusal }
  | { kind: 'complete'; head: RequestHead; /** Bytes of the head, blank line included. */ length: number };

type HeadLimits = Pick<FrontSettings, 'maxLineBytes' | 'maxHeadBytes' | 'maxHeaders'>;

const LF = 0x0a;
const CR = 0x0d;
/** RFC 9110 §5.6.2: a method and a header name are tokens. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^(\S+) (\S+) HTTP\/(\d)\.(\d)$/;

/**
 * Read as much of a request head as has arrived. Refuses as soon as the bytes show a problem,
 * not when the head ends: a line or head over its limit, a line ending in a bare LF, a request
 * line that is not HTTP/1.x. So a client learns at once, and nothing waits for a deadline.
 */
export function scanRequestHead(data: Buffer, limits: HeadLimits): HeadScan {
  let lineStart = 0;
  // Robustness (RFC 9112 §2.2): empty lines before the request line are skipped.
  while (data[lineStart] === CR && data[lineStart + 1] === LF) lineStart += 2;
  let requestLine: string | undefined;
  // No prototype: a header named "constructor" or "__proto__" is a header like any other.
  const headers = Object.create(null) as Record<string, string>;
  let headerCount = 0;
  for (;;) {
    const lineEnd = data.indexOf(LF, lineStart);
    const isRequestLine = requestLine === undefined;
    if (lineEnd < 0) {
      if (data.length - lineStart > limits.maxLineBytes) return lineTooLong(isRequestLine);
      if (data.length > limits.maxHeadBytes) return refuse(431, 'the request head is too large');
      if (isRequestLine && data.length > lineStart) return checkPartialRequestLine(data.subarray(lineStart));
      return INCOMPLETE;
    }
    if (lineEnd + 1 > limits.maxHeadBytes) return refuse(431, 'the request head is too large');
    if (lineEnd === lineStart || data[lineEnd - 1] !== CR) return refuse(400, 'a line of the request head ends without CR (bare LF)');
    if (lineEnd - 1 - lineStart > limits.maxLineBytes) return lineTooLong(isRequestLine);
    const line = data.toString('latin1', lineStart, lineEnd - 1);
    lineStart = lineEnd + 1;
    if (isRequestLine) {
      const refusal = checkRequestLine(line);
      if (refusal) return { kind: 'refused', refusal };
      requestLine = line;
      continue;
    }
    if (line === '') return complete(requestLine!, headers, lineStart);
    if (line[0] === ' ' || line[0] === '\t') return refuse(400, 'a header line is folded (obsolete line folding)');
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) return refuse(400, 'a header line is not "Name: value"');
    if (++headerCount > limits.maxHeaders) return refuse(431, 'the request has too many header lines');
    addHeader(headers, name.toLowerCase(), line.slice(colon + 1).trim());
  }
}

const INCOMPLETE: HeadScan = { kind: 'incomplete' };

function lineTooLong(isRequestLine: boolean): HeadScan {
  return isRequestLine ? refuse(414, 'the request line is too long') : refuse(431, 'a header line is too long');
}

/** A header sent on several lines is one, its values joined (RFC 9110 §5.3). */
function addHeader(headers: Record<string, string>, name: string, value: string): void {
  // A proxy may add its own X-Forwarded-For line after the client's: both count, in order.
  headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
}

function refuse(status: HeadRefusal['status'], reason: string): HeadScan {
  return { kind: 'refused', refusal: { status, reason } };
}

/** A request line whose method is already wrong, or which has ended, is refused before its LF. */
function checkPartialRequestLine(partial: Buffer): HeadScan {
  const text = partial.toString('latin1');
  const space = text.indexOf(' ');
  const method = space < 0 ? text : text.slice(0, space);
  if (method.length > 0 && !TOKEN.test(method.replace(/\r$/, ''))) return refuse(400, 'the request line does not start with a method');
  return { kind: 'incomplete' };
}

function checkRequestLine(line: string): HeadRefusal | undefined {
  const match = REQUEST_LINE.exec(line);
  if (!match) {
    return /^\S+ \S+$/.test(line)
      ? { status: 400, reason: 'HTTP/0.9 requests are not served: send HTTP/1.0 or HTTP/1.1' }
      : { status: 400, reason: 'the request line is not "METHOD target HTTP/1.x"' };
  }
  if (!TOKEN.test(match[1]!)) return { status: 400, reason: 'the method is not a token' };
  if (match[3] !== '1') return { status: 505, reason: `HTTP/${match[3]}.${match[4]} is not served over this connection: use HTTP/1.1` };
  if (pathOfTarget(match[1]!, match[2]!) === undefined) return { status: 400, reason: 'the request target is not a path or an http URL' };
  return undefined;
}

/**
 * The path a target names (RFC 9112 §3.2): origin-form `/x?q`, absolute-form `http://host/x?q`
 * (sent by proxies and `curl --proxy`), or `*` for OPTIONS; undefined for anything else.
 */
function pathOfTarget(method: string, target: string): string | undefined {
  if (target === '*') return method === 'OPTIONS' ? '*' : undefined;
  let rest = target;
  if (!rest.startsWith('/')) {
    const absolute = /^https?:\/\/[^/?#]+/i.exec(rest);
    if (!absolute) return undefined;
    rest = rest.slice(absolute[0].length) || '/';
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const end = rest.search(/[?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

function complete(requestLine: string, headers: Record<string, string>, length: number): HeadScan {
  // checkRequestLine has matched it: "METHOD target HTTP/x.y", single spaces.
  const [method, target, version] = requestLine.split(' ') as [string, string, string];
  const hash = target.indexOf('#');
  const url = hash < 0 ? target : target.slice(0, hash);
  const head: RequestHead = { method, url, path: pathOfTarget(method, url)!, httpVersion: version.slice(5), headers };
  return { kind: 'complete', head, length };
}
