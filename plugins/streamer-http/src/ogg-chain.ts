import { randomInt } from 'node:crypto';
import { BufferFlag, pageCrc } from '@flowcast/core';

/**
 * Now-playing titles in an Ogg stream. Ogg has no in-band "title changed" message: a player shows
 * the comments (TITLE, ARTIST) of the logical stream it decodes, and a new title means a new
 * logical stream chained after the old one (as Icecast sources such as ices do). So at a title
 * change, on the next page that starts a packet, the old stream is ended (an empty page flagged
 * end-of-stream) and a new one begins: a new serial number, the same identification header, a
 * comment header rebuilt with the title, the setup header (Vorbis), then the encoder's pages
 * re-stamped with the new serial, their own sequence numbers and a recomputed checksum. Nothing
 * is re-encoded: a decoder starts the new link as it starts any stream (its first packet only
 * primes the overlap). Audio-only streams of one logical stream (Vorbis or Opus) only: in a
 * multiplexed stream (Theora + Vorbis) a new link would have to start on a video keyframe for
 * both at once, which this does not attempt.
 */

/** What a player shows: written into the comment header as TITLE and ARTIST. */
export interface NowPlayingTags {
  title?: string;
  artist?: string;
}

/** What OggChain hands on: data and header pages for the hub, and the start of a new link. */
export interface ChainOutput {
  publish(buffer: Buffer, flags: number): void;
  /** A new chained stream starts with these header pages; the pages that follow are its data. */
  chain(headers: Buffer[]): void;
}

const CONTINUED = 0x01;
const BOS = 0x02;
const EOS = 0x04;
/** The granule position of a page on which no packet ends. */
const NO_GRANULE = -1n;

function isPage(buffer: Buffer, at = 0): boolean {
  return buffer.length - at >= 27 && buffer.toString('latin1', at, at + 4) === 'OggS';
}

/** The length of the page at `at` (header and body), or 0 when there is no whole page there. */
function pageLength(buffer: Buffer, at: number): number {
  if (!isPage(buffer, at)) return 0;
  const segments = buffer[at + 26]!;
  if (buffer.length - at < 27 + segments) return 0;
  let body = 0;
  for (let i = 0; i < segments; i++) body += buffer[at + 27 + i]!;
  const length = 27 + segments + body;
  return buffer.length - at >= length ? length : 0;
}

/** Set the page's checksum (core's, which reads the field as zero). */
function sealPage(page: Buffer): Buffer {
  page.writeUInt32LE(pageCrc(page), 22);
  return page;
}

function makePage(serial: number, seq: number, headerType: number, granule: bigint, lacing: number[], body: Buffer): Buffer {
  const page = Buffer.alloc(27 + lacing.length + body.length);
  page.write('OggS', 0, 'latin1');
  page[4] = 0;
  page[5] = headerType;
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(serial, 14);
  page.writeUInt32LE(seq, 18);
  page[26] = lacing.length;
  Buffer.from(lacing).copy(page, 27);
  body.copy(page, 27 + lacing.length);
  return sealPage(page);
}

/** The packets of a run of pages of one logical stream (the header pages). */
export function packetsOf(pages: readonly Buffer[]): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  for (const page of pages) {
    const segments = page[26]!;
    let position = 27 + segments;
    let start = position;
    for (let i = 0; i < segments; i++) {
      const lace = page[27 + i]!;
      position += lace;
      if (lace < 255) {
        partial.push(page.subarray(start, position));
        packets.push(Buffer.concat(partial));
        partial = [];
        start = position;
      }
    }
    if (start < position) partial.push(page.subarray(start, position));
  }
  return packets;
}

/**
 * Pages for header packets: the first alone on a beginning-of-stream page, the others after it,
 * the last one ending its page (Vorbis and Opus ask that of the last header).
 */
export function headerPages(packets: readonly Buffer[], serial: number): Buffer[] {
  const pages: Buffer[] = [];
  const [first, ...rest] = packets;
  pages.push(makePage(serial, 0, BOS, 0n, lacingOf(first!.length), first!));
  let lacing: number[] = [];
  let bodies: Buffer[] = [];
  let continued = false;
  let packetEnds = false;
  const flush = (): void => {
    pages.push(makePage(serial, pages.length, continued ? CONTINUED : 0, packetEnds ? 0n : NO_GRANULE, lacing, Buffer.concat(bodies)));
    lacing = [];
    bodies = [];
    packetEnds = false;
  };
  for (const packet of rest) {
    const laces = lacingOf(packet.length);
    let offset = 0;
    laces.forEach((lace, i) => {
      if (lacing.length === 255) {
        flush();
        continued = i > 0;
      } else if (lacing.length === 0) continued = i > 0;
      lacing.push(lace);
      bodies.push(packet.subarray(offset, offset + lace));
      offset += lace;
      if (i === laces.length - 1) packetEnds = true;
    });
  }
  if (lacing.length > 0) flush();
  return pages;
}

function lacingOf(length: number): number[] {
  const laces = new Array<number>(Math.floor(length / 255)).fill(255);
  laces.push(length % 255);
  return laces;
}

type Codec = 'vorbis' | 'opus';

function codecOf(idPacket: Buffer): Codec | undefined {
  if (idPacket[0] === 0x01 && idPacket.toString('latin1', 1, 7) === 'vorbis') return 'vorbis';
  if (idPacket.toString('latin1', 0, 8) === 'OpusHead') return 'opus';
  return undefined;
}

/** The comment header's magic: Vorbis's packet type and name, or Opus's. */
function commentMagic(codec: Codec): Buffer {
  return codec === 'vorbis' ? Buffer.from('\x03vorbis', 'latin1') : Buffer.from('OpusTags', 'latin1');
}

/**
 * The comment header with TITLE and ARTIST replaced by `tags` (left out where empty), the vendor
 * string and the other comments kept.
 */
export function rebuildComments(codec: Codec, packet: Buffer, tags: NowPlayingTags): Buffer {
  const magic = commentMagic(codec);
  let at = magic.length;
  const vendorLength = packet.readUInt32LE(at);
  const vendor = packet.subarray(at + 4, at + 4 + vendorLength);
  at += 4 + vendorLength;
  const count = packet.readUInt32LE(at);
  at += 4;
  const kept: Buffer[] = [];
  for (let i = 0; i < count && at + 4 <= packet.length; i++) {
    const length = packet.readUInt32LE(at);
    const comment = packet.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    const key = comment.toString('latin1', 0, Math.max(0, comment.indexOf(0x3d))).toUpperCase();
    if (key !== 'TITLE' && key !== 'ARTIST') kept.push(comment);
  }
  if (tags.title) kept.push(Buffer.from(`TITLE=${tags.title}`, 'utf8'));
  if (tags.artist) kept.push(Buffer.from(`ARTIST=${tags.artist}`, 'utf8'));
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const parts = [magic, u32(vendor.length), vendor, u32(kept.length)];
  for (const comment of kept) parts.push(u32(comment.length), comment);
  if (codec === 'vorbis') parts.push(Buffer.from([1])); // the framing bit
  return Buffer.concat(parts);
}

/** The encoder's stream, as the caps' header pages give it. */
interface Original {
  codec: Codec;
  pages: Buffer[];
  packets: Buffer[];
}

/** The link this chain is writing: its serial, headers and the next page's sequence number. */
interface Link {
  serial: number;
  headers: Buffer[];
  nextSeq: number;
}

/** Re-stamps an Ogg stream into chained links as the title changes (see the top of this file). */
export class OggChain {
  private original?: Original;
  private link?: Link;
  private tags: NowPlayingTags = {};
  private pending = false;
  /** The last data page handed on: where the link in progress stands, to end it. */
  private last?: { serial: number; seq: number; granule: bigint };

  /**
   * The stream's header pages from the caps: what listeners should get instead (rewritten with
   * the title as a new link when one is set). Undefined `why` when titles can be carried; else why not.
   */
  setHeaders(pages: Buffer[]): { headers: Buffer[]; unsupported?: string } {
    this.original = undefined;
    this.link = undefined;
    this.last = undefined;
    this.pending = false;
    if (!pages.every((page) => pageLength(page, 0) === page.length)) return { headers: pages, unsupported: 'its headers are not whole Ogg pages' };
    const serials = new Set(pages.map((page) => page.readUInt32LE(14)));
    if (serials.size !== 1) return { headers: pages, unsupported: 'titles are carried only in audio-only Ogg streams of one logical stream (Vorbis or Opus)' };
    const packets = packetsOf(pages);
    const codec = packets[0] ? codecOf(packets[0]) : undefined;
    const wanted = codec === 'vorbis' ? 3 : 2;
    if (!codec || packets.length < wanted) return { headers: pages, unsupported: 'titles are carried only in Vorbis and Opus streams' };
    this.original = { codec, pages, packets: packets.slice(0, wanted) };
    if (this.tags.title || this.tags.artist) this.link = this.newLink();
    return { headers: this.link?.headers ?? pages };
  }

  /** A new title: it starts a new link at the next page that starts a packet. */
  setTags(tags: NowPlayingTags): void {
    this.tags = { ...tags };
    this.pending = true;
  }

  /** Whether the stream's titles can change (a Vorbis or Opus stream of one logical stream). */
  get carriesTitles(): boolean {
    return this.original !== undefined;
  }

  /** A buffer from the muxer: handed on as it is, re-stamped into the current link, or after a new link's start. */
  process(buffer: Buffer, flags: number, out: ChainOutput): void {
    const original = this.original;
    if (!original) return out.publish(buffer, flags);
    const headerIndex = original.pages.findIndex((page) => page.length === buffer.length && page.equals(buffer));
    if ((flags & BufferFlag.header) !== 0 || headerIndex >= 0) {
      // The muxer sends its headers as data too: listeners get the current link's instead.
      if (!this.link) return out.publish(buffer, flags);
      if (headerIndex === 0) for (const header of this.link.headers) out.publish(header, flags | BufferFlag.header);
      return;
    }
    if (!isPage(buffer)) return out.publish(buffer, flags);
    if (this.pending && (buffer[5]! & CONTINUED) === 0) {
      this.pending = false;
      if (this.last) out.publish(this.endOfLink(this.last), flags);
      this.link = this.newLink();
      out.chain(this.link.headers);
    }
    const pages = this.link ? this.restamp(buffer, this.link) : buffer;
    this.noteLast(pages);
    out.publish(pages, flags);
  }

  private newLink(): Link {
    const original = this.original!;
    let serial = randomInt(0, 2 ** 32 - 1);
    if (serial === this.link?.serial || serial === original.pages[0]!.readUInt32LE(14)) serial = (serial + 1) >>> 0;
    const [id, comments, ...rest] = original.packets;
    const headers = headerPages([id!, rebuildComments(original.codec, comments!, this.tags), ...rest], serial);
    return { serial, headers, nextSeq: headers.length };
  }

  /** The buffer's pages under the link's serial and sequence numbers, checksums recomputed (a copy). */
  private restamp(buffer: Buffer, link: Link): Buffer {
    const copy = Buffer.from(buffer);
    let at = 0;
    for (let length = pageLength(copy, 0); length > 0; length = pageLength(copy, at)) {
      const page = copy.subarray(at, at + length);
      page.writeUInt32LE(link.serial, 14);
      page.writeUInt32LE(link.nextSeq++ >>> 0, 18);
      sealPage(page);
      at += length;
    }
    return copy;
  }

  private noteLast(buffer: Buffer): void {
    let at = 0;
    for (let length = pageLength(buffer, 0); length > 0; length = pageLength(buffer, at)) {
      const granule = buffer.readBigInt64LE(at + 6);
      this.last = { serial: buffer.readUInt32LE(at + 14), seq: buffer.readUInt32LE(at + 18), granule: granule === NO_GRANULE && this.last ? this.last.granule : granule };
      at += length;
    }
  }

  /** An empty page that ends the link in progress, at the granule position it reached. */
  private endOfLink(last: { serial: number; seq: number; granule: bigint }): Buffer {
    return makePage(last.serial, (last.seq + 1) >>> 0, EOS, last.granule, [], Buffer.alloc(0));
  }
}
