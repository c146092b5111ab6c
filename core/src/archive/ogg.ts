import fs from 'node:fs';

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0), over the page with its CRC field zeroed. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

export function pageCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

export const OGG_HEADER_CONTINUED = 0x01;
export const OGG_HEADER_BOS = 0x02;
export const OGG_HEADER_EOS = 0x04;

export interface OggPage {
  /** Where the page starts in the file or buffer it was read from. */
  offset: number;
  length: number;
  headerType: number;
  /** -1 when no packet ends on the page. */
  granule: bigint;
  serial: number;
  sequence: number;
  /** The whole page (header and body). */
  bytes: Buffer;
}

/**
 * The page at `at` in `buffer` when a whole one is there and its CRC is right; `undefined` when
 * the buffer ends inside it (more is needed) and `null` when what is there is not a valid page.
 */
export function pageAt(buffer: Buffer, at: number): OggPage | undefined | null {
  if (buffer.length - at < 27) return buffer.length - at >= 4 && buffer.toString('latin1', at, at + 4) !== 'OggS' ? null : undefined;
  if (buffer.toString('latin1', at, at + 4) !== 'OggS' || buffer[at + 4] !== 0) return null;
  const segments = buffer[at + 26]!;
  if (buffer.length - at < 27 + segments) return undefined;
  let length = 27 + segments;
  for (let i = 0; i < segments; i++) length += buffer[at + 27 + i]!;
  if (buffer.length - at < length) return undefined;
  const bytes = buffer.subarray(at, at + length);
  if (pageCrc(bytes) !== bytes.readUInt32LE(22)) return null;
  return {
    offset: at,
    length,
    headerType: bytes[5]!,
    granule: bytes.readBigInt64LE(6),
    serial: bytes.readUInt32LE(14),
    sequence: bytes.readUInt32LE(18),
    bytes,
  };
}

const READ_CHUNK = 1024 * 1024;

/**
 * Read the Ogg pages of a file from `from`, in order, with bounded memory (one chunk and one page),
 * calling `onPage` for each whole, valid page; stops at the first damaged or incomplete one, or
 * when `onPage` returns false. Returns the offset just past the last whole page read: where a
 * file cut short by a crash should be truncated.
 */
export function scanOggFile(file: string, onPage: (page: OggPage) => boolean | void, from = 0): number {
  const fd = fs.openSync(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = from;
    let position = from;
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      const read = fs.readSync(fd, chunk, 0, READ_CHUNK, position);
      const buffer = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      position += read;
      let at = 0;
      for (;;) {
        const page = pageAt(buffer, at);
        if (page === null) return carryOffset + at;
        if (page === undefined) break;
        if (onPage({ ...page, offset: carryOffset + at }) === false) return carryOffset + at + page.length;
        at += page.length;
      }
      if (read === 0) return carryOffset + at;
      carry = Buffer.from(buffer.subarray(at));
      carryOffset += at;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The sample rate of a Vorbis or Opus logical stream, from its first (identification) header page. */
export function granuleRate(bosPage: Buffer): number | undefined {
  const body = bosPage.subarray(27 + bosPage[26]!);
  if (body[0] === 0x01 && body.toString('latin1', 1, 7) === 'vorbis' && body.length >= 16) return body.readUInt32LE(12);
  if (body.toString('latin1', 0, 8) === 'OpusHead') return 48000;
  if (body[0] === 0x7f && body.toString('latin1', 1, 5) === 'FLAC' && body.length >= 30) return body.readUIntBE(27, 3) >> 4;
  return undefined;
}
