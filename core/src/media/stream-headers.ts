import { BufferFlag } from './native';

/**
 * Which buffers of a muxed stream are its headers (what a player needs before any data), and what
 * those headers are. Muxers also send the headers their caps carry as data (oggmux page by page,
 * matroskamux in pieces flagged as headers where the caps hold one buffer), and a second copy in
 * the stream would stop players. When the caps carry none, the last run of buffers flagged as
 * headers is the headers, as GStreamer's multisocketsink takes it.
 */
export class StreamHeaders {
  private capsHeaders: Buffer[] = [];
  private headerLengths = new Set<number>();
  private flaggedHeaders: Buffer[] = [];
  private lastWasHeader = false;

  /** The headers the caps carry (`streamheader`), possibly none. */
  setCaps(headers: Buffer[]): void {
    this.capsHeaders = headers;
    this.headerLengths = new Set(headers.map((h) => h.length));
  }

  /** Whether the caps carry the headers. */
  get fromCaps(): boolean {
    return this.capsHeaders.length > 0;
  }

  /** The headers as known now: the caps', else the last run of buffers flagged as headers. */
  get current(): Buffer[] {
    return this.capsHeaders.length > 0 ? this.capsHeaders : this.flaggedHeaders;
  }

  /** True when the buffer is a stream header, which goes first to a new reader rather than as data. */
  take(buffer: Buffer, flags: number): boolean {
    const flagged = (flags & BufferFlag.header) !== 0;
    const startsRun = flagged && !this.lastWasHeader;
    this.lastWasHeader = flagged;
    if (this.capsHeaders.length > 0) return flagged || (this.headerLengths.has(buffer.length) && this.capsHeaders.some((h) => h.equals(buffer)));
    if (startsRun) this.flaggedHeaders = [];
    if (flagged) this.flaggedHeaders.push(buffer);
    return flagged;
  }
}
