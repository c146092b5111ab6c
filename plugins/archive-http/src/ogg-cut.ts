import { OGG_HEADER_BOS, OGG_HEADER_CONTINUED, granuleRate, pageAt, pageCrc } from '@flowcast/core';

/**
 * Listen again from a moment inside an Ogg page: oggmux ends a page about every half second, so
 * starting at a page boundary can be half a second late. The page that holds the moment is cut to
 * its packets that start at or after it: the lacing and the CRC are rewritten, the granule stays
 * (a page's granule is that of its last packet), so a decoder places the first packet right.
 * Packet durations come from the codec: Opus from each packet's TOC byte, Vorbis from the block
 * sizes of the identification header and the modes of the setup header.
 */

/** Samples in one packet of a stream, given the packet before it (Vorbis blocks overlap). */
export interface PacketTiming {
  rate: number;
  /** Samples this packet adds, or undefined when it cannot be told (no previous packet for Vorbis). */
  samples(packet: Buffer, previous: Buffer | undefined): number | undefined;
}

interface Packet {
  /** Offset in the page body, and length. */
  at: number;
  length: number;
  /** The lacing values that carry it on this page. */
  lacing: number[];
  /** It began on an earlier page. */
  continued: boolean;
  /** It ends on this page (else it goes on into the next). */
  complete: boolean;
}

function packetsOf(page: Buffer): Packet[] {
  const segments = page[26]!;
  const packets: Packet[] = [];
  let at = 0;
  let current: Packet | undefined;
  for (let i = 0; i < segments; i++) {
    const value = page[27 + i]!;
    if (!current) current = { at, length: 0, lacing: [], continued: packets.length === 0 && (page[5]! & OGG_HEADER_CONTINUED) !== 0, complete: false };
    current.length += value;
    current.lacing.push(value);
    at += value;
    if (value < 255) {
      current.complete = true;
      packets.push(current);
      current = undefined;
    }
  }
  if (current) packets.push(current);
  return packets;
}

/** The packets of the header pages (the identification, comment and setup packets, joined across pages). */
function headerPackets(headers: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let at = 0; ; ) {
    const page = pageAt(headers, at);
    if (!page) break;
    const body = page.bytes.subarray(27 + page.bytes[26]!);
    for (const p of packetsOf(page.bytes)) {
      pending.push(body.subarray(p.at, p.at + p.length));
      if (p.complete) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    at += page.length;
  }
  return packets;
}

/** Samples in an Opus packet (RFC 6716, 3.1): the frame size from the TOC's configuration, times the frame count. */
function opusSamples(packet: Buffer): number | undefined {
  if (packet.length < 1) return undefined;
  const toc = packet[0]!;
  const config = toc >> 3;
  const frame = config < 12 ? [480, 960, 1920, 2880][config & 3]! : config < 16 ? [480, 960][config & 1]! : [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet.length > 1 ? packet[1]! & 0x3f : 0;
  return frame * frames;
}

/**
 * The block flag of each Vorbis mode, from the end of the setup header: the modes are its last
 * field (each 1 + 16 + 16 + 8 bits, window and transform types 0) before the framing bit, and
 * their count is 6 bits before them. Read backwards, as decoders' parsers do, since the codebooks
 * and floors before them would take a whole decoder to skip.
 */
function vorbisModeBlockFlags(setup: Buffer): boolean[] | undefined {
  const bits = setup.length * 8;
  // Bit i of the packet (Vorbis packs from the least significant bit of each byte).
  const bit = (i: number): number => (setup[i >> 3]! >> (i & 7)) & 1;
  const read = (from: number, count: number): number => {
    let value = 0;
    for (let i = count - 1; i >= 0; i--) value = value * 2 + bit(from + i);
    return value;
  };
  let end = bits - 1;
  while (end >= 0 && bit(end) === 0) end--; // the framing bit
  if (end < 0) return undefined;
  // Candidate mode counts, from the end back: each mode ends with mapping (8, < 64), transform (16, 0), window (16, 0), block flag (1).
  let position = end;
  let count = 0;
  let found = 0;
  while (position - 41 >= 0 && count < 64) {
    const mapping = read(position - 8, 8);
    const transform = read(position - 24, 16);
    const window = read(position - 40, 16);
    if (mapping > 63 || transform !== 0 || window !== 0) break;
    position -= 41;
    count++;
    if (position - 6 >= 0 && read(position - 6, 6) + 1 === count) found = count;
  }
  if (found === 0) return undefined;
  const flags: boolean[] = [];
  for (let m = 0; m < found; m++) flags.push(bit(end - 41 * (found - m)) === 1);
  return flags;
}

/** The timing of the stream whose header pages are `headers`, for Vorbis and Opus; undefined for others. */
export function packetTiming(headers: Buffer): PacketTiming | undefined {
  const first = pageAt(headers, 0);
  if (!first || (first.headerType & OGG_HEADER_BOS) === 0) return undefined;
  const rate = granuleRate(first.bytes);
  if (!rate) return undefined;
  const packets = headerPackets(headers);
  const id = packets[0];
  if (!id) return undefined;
  if (id.toString('latin1', 0, 8) === 'OpusHead') return { rate: 48000, samples: (packet) => opusSamples(packet) };
  if (id[0] === 1 && id.toString('latin1', 1, 7) === 'vorbis' && packets[2]) {
    const small = 1 << (id[28]! & 0x0f);
    const large = 1 << (id[28]! >> 4);
    const flags = vorbisModeBlockFlags(packets[2]);
    if (!flags) return undefined;
    const modeBits = Math.ceil(Math.log2(flags.length)) || 0;
    const blockSize = (packet: Buffer): number | undefined => {
      if (packet.length < 1 || (packet[0]! & 1) !== 0) return undefined;
      const mode = (packet[0]! >> 1) & ((1 << modeBits) - 1);
      return flags[mode] === undefined ? undefined : flags[mode] ? large : small;
    };
    return {
      rate,
      samples: (packet, previous) => {
        const current = blockSize(packet);
        const before = previous ? blockSize(previous) : undefined;
        return current === undefined || before === undefined ? undefined : (before + current) / 4;
      },
    };
  }
  return undefined;
}

/** A page cut to its packets from `keep` on: the lacing, the flags and the CRC rewritten. */
function cutPage(page: Buffer, packets: Packet[], keep: number): Buffer {
  const body = page.subarray(27 + page[26]!);
  const kept = packets.slice(keep);
  const lacing = kept.flatMap((p) => p.lacing);
  const out = Buffer.alloc(27 + lacing.length + kept.reduce((n, p) => n + p.length, 0));
  page.copy(out, 0, 0, 26);
  out[5] = page[5]! & ~OGG_HEADER_CONTINUED;
  out[26] = lacing.length;
  Buffer.from(lacing).copy(out, 27);
  let at = 27 + lacing.length;
  for (const p of kept) at += body.copy(out, at, p.at, p.at + p.length);
  out.writeUInt32LE(0, 22);
  out.writeUInt32LE(pageCrc(out), 22);
  return out;
}

export interface CutResult {
  /** What to send first: the page holding the moment, cut, then the whole pages after it in `pages`. */
  bytes: Buffer;
  /** Stream time (ms, in the scale of `endTime`) of the first packet sent. */
  firstPacketTime: number;
}

/**
 * From `pages` (whole Ogg pages of one stream, the last of them ending at stream time `endTime`
 * ms: the granule of the last page with one), the bytes to send to start at stream time `at`
 * ms: pages before the one that holds it are left out, that page is cut to its packets that start
 * at or after `at`. Undefined when the packet durations cannot be told (then start at the next
 * page, as before).
 */
export function cutAt(pages: Buffer, timing: PacketTiming, endTime: number, at: number): CutResult | undefined {
  const list: { bytes: Buffer; granule: bigint }[] = [];
  for (let offset = 0; ; ) {
    const page = pageAt(pages, offset);
    if (!page) break;
    list.push({ bytes: page.bytes, granule: page.granule });
    offset += page.length;
  }
  const lastGranule = [...list].reverse().find((p) => p.granule >= 0n)?.granule;
  if (lastGranule === undefined) return undefined;
  const timeOf = (granule: number): number => endTime - ((Number(lastGranule) - granule) * 1000) / timing.rate;
  let previous: Buffer | undefined;
  for (let i = 0; i < list.length; i++) {
    const page = list[i]!;
    const packets = packetsOf(page.bytes);
    const body = page.bytes.subarray(27 + page.bytes[26]!);
    const data = packets.map((p) => body.subarray(p.at, p.at + p.length));
    if (page.granule < 0n) {
      previous = undefined;
      continue;
    }
    // Start granules of the complete packets, back from the page's granule (that of its last complete packet).
    const complete = packets.map((p, k) => (p.complete ? k : -1)).filter((k) => k >= 0);
    const starts = new Map<number, number>();
    let end = Number(page.granule);
    for (let c = complete.length - 1; c >= 0; c--) {
      const k = complete[c]!;
      if (packets[k]!.continued) break;
      const before = k > 0 ? (packets[k - 1]!.continued ? undefined : data[k - 1]) : previous;
      const samples = timing.samples(data[k]!, before);
      if (samples === undefined) break;
      end -= samples;
      starts.set(k, end);
    }
    const lastComplete = complete.at(-1);
    previous = lastComplete !== undefined && !packets[lastComplete]!.continued && packets.at(-1)!.complete ? data[lastComplete] : undefined;
    if (timeOf(Number(page.granule)) <= at) continue; // the moment is after this page
    const keep = complete.find((k) => starts.has(k) && timeOf(starts.get(k)!) >= at);
    if (keep === undefined) return undefined;
    const first = keep === 0 && !packets[0]!.continued ? page.bytes : cutPage(page.bytes, packets, keep);
    return { bytes: Buffer.concat([first, ...list.slice(i + 1).map((p) => p.bytes)]), firstPacketTime: timeOf(starts.get(keep)!) };
  }
  return undefined;
}
