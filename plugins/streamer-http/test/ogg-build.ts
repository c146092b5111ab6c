/**
 * Building real Ogg bytes for tests: capture a short stream with gst-launch-1.0, take it apart
 * into packets, and page packets again (with valid CRCs, so GStreamer accepts the result).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { oggPages } from './support';

/** Run a gst-launch-1.0 pipeline ending in `filesink location=FILE` and return the file's bytes. */
export function capture(pipeline: string): Promise<Buffer> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-ogg-')), 'capture.ogg');
  return new Promise((resolve, reject) => {
    execFile('gst-launch-1.0', ['-q', ...`${pipeline} ! filesink location=${file}`.split(' ')], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`gst-launch-1.0 ${pipeline} failed: ${stderr}`));
      else resolve(fs.readFileSync(file));
    });
  });
}

/** Run `filesrc ! ELEMENTS ! fakesink` on `data`; whether GStreamer got through it without an error. */
export function gstDecodes(data: Buffer, elements: string): Promise<{ ok: boolean; output: string }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-ogg-')), 'input.ogg');
  fs.writeFileSync(file, data);
  return new Promise((resolve) => {
    execFile('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', ...elements.split(' '), '!', 'fakesink'], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

/** Each page of `data` as its own Buffer (header and body), in order. */
export function pageBuffers(data: Buffer): Buffer[] {
  const pages = oggPages(data);
  return pages.map((page, i) => data.subarray(page.offset, i + 1 < pages.length ? pages[i + 1]!.offset : page.body.byteOffset - data.byteOffset + page.body.length));
}

export interface Packet {
  serial: number;
  data: Buffer;
  /** The granule position of the page on which the packet ended, when it was the last to end there; else -1. */
  granule: bigint;
  /** Index (in `pageBuffers`) of the page on which the packet starts. */
  page: number;
}

/** The packets of every logical stream in `data`, in the order they end. */
export function oggPackets(data: Buffer): Packet[] {
  const packets: Packet[] = [];
  const partial = new Map<number, { parts: Buffer[]; page: number }>();
  pageBuffers(data).forEach((page, index) => {
    const serial = page.readUInt32LE(14);
    const granule = page.readBigInt64LE(6);
    const segments = page[26]!;
    let position = 27 + segments;
    const ended: Packet[] = [];
    let current = (page[5]! & 0x01) !== 0 ? (partial.get(serial) ?? { parts: [], page: index }) : { parts: [], page: index };
    for (let i = 0; i < segments; i++) {
      const lace = page[27 + i]!;
      if (current.parts.length === 0) current.page = index;
      current.parts.push(page.subarray(position, position + lace));
      position += lace;
      if (lace < 255) {
        ended.push({ serial, data: Buffer.concat(current.parts), granule: -1n, page: current.page });
        current = { parts: [], page: index };
      }
    }
    if (ended.length > 0) ended[ended.length - 1]!.granule = granule;
    partial.set(serial, current);
    packets.push(...ended);
  });
  return packets;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) & 0xff) ^ byte]!) >>> 0;
  return crc;
}

export interface PageSpec {
  serial: number;
  sequence: number;
  /** 0x01 continued, 0x02 beginning of stream, 0x04 end of stream. */
  flags: number;
  granule: bigint;
  /** Lacing values; their sum is the body's length. */
  lacing: number[];
  body: Buffer;
}

/** One Ogg page with a correct CRC. */
export function buildPage(spec: PageSpec): Buffer {
  const header = Buffer.alloc(27 + spec.lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = spec.flags;
  header.writeBigInt64LE(spec.granule, 6);
  header.writeUInt32LE(spec.serial, 14);
  header.writeUInt32LE(spec.sequence, 18);
  header[26] = spec.lacing.length;
  spec.lacing.forEach((lace, i) => (header[27 + i] = lace));
  const page = Buffer.concat([header, spec.body]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * A synthetic page of one logical stream whose body is `bodyLength` bytes of one packet that
 * ends on the page (or, with `continued`, the tail of a packet from the page before).
 */
export function synthPage(sequence: number, bodyLength: number, options: { continued?: boolean; serial?: number; fill?: number } = {}): Buffer {
  const lacing: number[] = [];
  for (let left = bodyLength; ; left -= 255) {
    if (left >= 255) lacing.push(255);
    else {
      lacing.push(left);
      break;
    }
  }
  return buildPage({
    serial: options.serial ?? 0x5eed,
    sequence,
    flags: options.continued ? 0x01 : 0,
    granule: BigInt(sequence * 1000),
    lacing,
    body: Buffer.alloc(bodyLength, options.fill ?? sequence & 0xff),
  });
}

/**
 * Page the packets of one logical stream again, with at most `maxBody` bytes per page, so that
 * packets span pages (continued pages). Header packets (the first `headerPackets`) each get their
 * own page(s), as the Ogg mapping of Vorbis and Theora requires for the first one.
 */
export function repage(packets: Packet[], maxBody: number, headerPackets: number, endPageAfter: (index: number) => boolean = () => false): Buffer[] {
  const pages: Buffer[] = [];
  const serial = packets[0]!.serial;
  let sequence = 0;
  let lacing: number[] = [];
  let parts: Buffer[] = [];
  let bodyLength = 0;
  let continued = false;
  let granule = -1n;
  const flush = (last: boolean): void => {
    if (lacing.length === 0) return;
    const flags = (sequence === 0 ? 0x02 : 0) | (continued ? 0x01 : 0) | (last ? 0x04 : 0);
    pages.push(buildPage({ serial, sequence: sequence++, flags, granule, lacing, body: Buffer.concat(parts) }));
    lacing = [];
    parts = [];
    bodyLength = 0;
    granule = -1n;
  };
  packets.forEach((packet, index) => {
    let offset = 0;
    for (;;) {
      const lace = Math.min(255, packet.data.length - offset);
      if (lacing.length === 255 || bodyLength + lace > maxBody) {
        flush(false);
        continued = offset > 0;
      }
      lacing.push(lace);
      parts.push(packet.data.subarray(offset, offset + lace));
      bodyLength += lace;
      offset += lace;
      if (lace < 255) break;
    }
    granule = index < headerPackets ? 0n : packet.granule;
    if (index < headerPackets || endPageAfter(index)) {
      flush(false);
      continued = false;
    }
  });
  flush(true);
  return pages;
}
