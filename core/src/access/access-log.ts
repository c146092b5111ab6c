import fs from 'node:fs';

/*
 * The access log of live mounts (streamer-http) and the archive (archive-http) alike: Apache
 * combined plus the seconds connected.
 */

/** What the access log records of one listener. */
export interface AccessRecord {
  remoteAddress: string;
  /** The user a bouncer let in. */
  user?: string;
  requestLine: string;
  status: number;
  bytes: number;
  referer?: string;
  userAgent?: string;
  /** When the request arrived (ms since the epoch). */
  start: number;
  /** When the connection ended (ms since the epoch). */
  end: number;
}

/** A field longer than this is cut (and marked): one request cannot write a long line to the log. */
const MAX_FIELD_CHARS = 1000;

/**
 * A request field as Apache writes it: quoted, with `"` and `\` escaped, and every byte that is
 * not printable ASCII (controls, DEL, and whatever is not ASCII) as `\xhh`. Header text is read
 * as Latin-1, one character a byte, so `\xhh` is the byte the client sent, never re-encoded.
 */
export function quoteField(value: string | undefined): string {
  if (!value) return '"-"';
  const cut = value.length > MAX_FIELD_CHARS ? value.slice(0, MAX_FIELD_CHARS) : value;
  const escaped = cut.replace(/["\\]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}${cut.length < value.length ? '...' : ''}"`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Apache combined format plus the seconds connected, as Flumotion and Icecast write it. */
export function formatAccessLine(r: AccessRecord): string {
  const d = new Date(r.start);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  const seconds = Math.max(0, Math.round((r.end - r.start) / 1000));
  const user = r.user ? r.user.replace(/[\s"\\\x00-\x1f]/g, '_') : '-';
  return `${r.remoteAddress} - ${user} [${time}] ${quoteField(r.requestLine)} ${r.status} ${r.bytes} ${quoteField(r.referer)} ${quoteField(r.userAgent)} ${seconds}`;
}

/** Appends lines through a buffered stream: writing a line never waits for the disk. */
export class AccessLog {
  private readonly stream: fs.WriteStream;

  constructor(file: string, onError: (error: Error) => void) {
    this.stream = fs.createWriteStream(file, { flags: 'a' });
    this.stream.on('error', onError);
  }

  write(record: AccessRecord): void {
    this.stream.write(formatAccessLine(record) + '\n');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
