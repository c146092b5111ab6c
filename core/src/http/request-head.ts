/** A request as read off the socket by the HTTP front, before any HTTP machinery sees it. */
export interface RequestHead {
  method: string;
  /** The request target as sent, with its query string. */
  url: string;
  /** The path without the query string. */
  path: string;
  httpVersion: string;
  /** Header names in lower case; a header sent on several lines is joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
}

/** Where the request head ends (index just past the blank line), or -1 if it has not yet. */
export function headEnd(data: Buffer): number {
  const at = data.indexOf('\r\n\r\n');
  return at < 0 ? -1 : at + 4;
}

/** Parse `GET /path HTTP/1.1` and its header lines; undefined when it is not HTTP/1.x. */
export function parseRequestHead(head: string): RequestHead | undefined {
  const lines = head.split('\r\n');
  const match = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(lines[0] ?? '');
  if (!match) return undefined;
  // No prototype: a header named "constructor" or "__proto__" is a header like any other.
  const headers = Object.create(null) as Record<string, string>;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // A proxy may add its own X-Forwarded-For line after the client's: both count, in order.
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
  }
  const url = match[2]!;
  const query = url.indexOf('?');
  return { method: match[1]!, url, path: query < 0 ? url : url.slice(0, query), httpVersion: match[3]!, headers };
}
