/**
 * ICY metadata (SHOUTCAST's, kept by Icecast): a client that sends `Icy-MetaData: 1` is told
 * `icy-metaint: N` and then gets, after every N bytes of stream, a metadata block: one length
 * byte L, then L × 16 bytes of `StreamTitle='…';` padded with zeros. L = 0 (the single byte 0)
 * means "no change". Counted from the first byte of the response body: each listener's own
 * stream, whatever its burst. Only MP3 and AAC streams carry it (Ogg carries its titles itself:
 * ogg-chain.ts); a listener that did not ask gets the plain stream.
 */

/** The most a block holds: the length byte counts 16-byte units. */
const MAX_BLOCK_BYTES = 255 * 16;
/** The block that says nothing changed, shared by every listener. */
const NO_CHANGE = Buffer.from([0]);

/** Content types that carry ICY metadata when asked for. */
export function carriesIcy(contentType: string | undefined): boolean {
  return contentType === 'audio/mpeg' || contentType === 'audio/aac';
}

/** Whether a request asks for ICY metadata (`Icy-MetaData: 1`; header names in lower case). */
export function wantsIcy(headers: Readonly<Record<string, string>>): boolean {
  return (headers['icy-metadata'] ?? '').trim() === '1';
}

/** A UTF-8 string cut to at most `bytes` bytes without splitting a character. */
function cutUtf8(text: string, bytes: number): Buffer {
  const whole = Buffer.from(text, 'utf8');
  if (whole.length <= bytes) return whole;
  let end = bytes;
  while (end > 0 && (whole[end]! & 0xc0) === 0x80) end--;
  return whole.subarray(0, end);
}

/** The metadata block for a title: `StreamTitle='…';`, padded to 16-byte units. */
export function icyBlock(streamTitle: string): Buffer {
  const prefix = Buffer.from("StreamTitle='", 'latin1');
  const suffix = Buffer.from("';", 'latin1');
  const title = cutUtf8(streamTitle, MAX_BLOCK_BYTES - prefix.length - suffix.length);
  const text = Buffer.concat([prefix, title, suffix]);
  const units = Math.ceil(text.length / 16);
  const block = Buffer.alloc(1 + units * 16);
  block[0] = units;
  text.copy(block, 1);
  return block;
}

/**
 * The current title's block, shared by all ICY listeners of a stream: rebuilt when the title
 * changes, with a version number a listener compares with the one it was last sent.
 */
export class IcyMetadata {
  private current = icyBlock('');
  private currentVersion = 0;

  set(streamTitle: string): void {
    this.current = icyBlock(streamTitle);
    this.currentVersion++;
  }

  get block(): Buffer {
    return this.current;
  }

  get version(): number {
    return this.currentVersion;
  }
}

/**
 * One ICY listener's framing: cuts what it is sent into runs of `interval` bytes of stream with a
 * metadata block between them. The stream's own buffers are passed on as slices (no copy); the
 * blocks are the shared ones.
 */
export class IcyFramer {
  /** Stream bytes left before the next block. */
  private untilBlock: number;
  /** The title version this listener was last sent (-1: none yet, so the first block carries it). */
  private sentVersion = -1;

  constructor(
    private readonly metadata: IcyMetadata,
    readonly interval: number,
  ) {
    this.untilBlock = interval;
  }

  /** Hand `data` on as `emit` calls, with each block that falls due inside it. */
  frame(data: Buffer, emit: (piece: Buffer) => void): void {
    let at = 0;
    while (data.length - at >= this.untilBlock) {
      const end = at + this.untilBlock;
      if (end > at) emit(at === 0 && end === data.length ? data : data.subarray(at, end));
      emit(this.nextBlock());
      at = end;
      this.untilBlock = this.interval;
    }
    if (at < data.length) {
      emit(at === 0 ? data : data.subarray(at));
      this.untilBlock -= data.length - at;
    }
  }

  private nextBlock(): Buffer {
    if (this.sentVersion === this.metadata.version) return NO_CHANGE;
    this.sentVersion = this.metadata.version;
    return this.metadata.block;
  }
}

/** The stream's response head with `icy-metaint` added, for a listener that asked for metadata. */
export function icyResponseHead(responseHead: Buffer, interval: number): Buffer {
  const text = responseHead.toString('latin1');
  const end = text.lastIndexOf('\r\n\r\n');
  return Buffer.from(`${text.slice(0, end)}\r\nicy-metaint: ${interval}\r\n\r\n`, 'latin1');
}
