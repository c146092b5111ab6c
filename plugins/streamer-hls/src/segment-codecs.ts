/**
 * What a master playlist says of a rendition, read from one of its MPEG-TS segments: the RFC 6381
 * codec strings (CODECS) and the picture size (RESOLUTION), which players use to choose a
 * rendition before fetching it. From the PAT and PMT (which elementary streams) and the H.264
 * sequence parameter set (profile, level, size) and the ADTS header (AAC object type).
 */

const PACKET = 188;
const STREAM_H264 = 0x1b;
const STREAM_AAC_ADTS = 0x0f;
const STREAM_MPEG1_AUDIO = 0x03;
const STREAM_MPEG2_AUDIO = 0x04;

export interface SegmentDescription {
  codecs: string[];
  width?: number;
  height?: number;
}

/** The payloads of the first PES packet of `pid` (and of the PAT/PMT sections), joined, up to `limit` bytes. */
function payloads(segment: Buffer, pid: number, limit: number): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  let started = false;
  for (let at = 0; at + PACKET <= segment.length && length < limit; at += PACKET) {
    if (segment[at] !== 0x47) return Buffer.concat(parts);
    if ((((segment[at + 1]! & 0x1f) << 8) | segment[at + 2]!) !== pid) continue;
    const unitStart = (segment[at + 1]! & 0x40) !== 0;
    if (unitStart && started) break;
    if (!unitStart && !started) continue;
    started = true;
    const adaptation = (segment[at + 3]! >> 4) & 0x3;
    let start = at + 4;
    if (adaptation === 2) continue;
    if (adaptation === 3) start += 1 + segment[at + 4]!;
    const payload = segment.subarray(start, at + PACKET);
    parts.push(payload);
    length += payload.length;
  }
  return Buffer.concat(parts);
}

/** A PSI section's body (after pointer_field), or undefined. */
function section(segment: Buffer, pid: number): Buffer | undefined {
  const data = payloads(segment, pid, 1024);
  if (data.length < 1) return undefined;
  const body = data.subarray(1 + data[0]!);
  return body.length >= 8 ? body : undefined;
}

/** Elementary streams of the first program: PID → stream_type. */
function streams(segment: Buffer): Map<number, number> {
  const found = new Map<number, number>();
  const pat = section(segment, 0);
  if (!pat) return found;
  const patLength = ((pat[1]! & 0x0f) << 8) | pat[2]!;
  let pmtPid: number | undefined;
  for (let at = 8; at + 4 <= 3 + patLength - 4; at += 4) {
    const program = (pat[at]! << 8) | pat[at + 1]!;
    if (program !== 0) {
      pmtPid = ((pat[at + 2]! & 0x1f) << 8) | pat[at + 3]!;
      break;
    }
  }
  if (pmtPid === undefined) return found;
  const pmt = section(segment, pmtPid);
  if (!pmt) return found;
  const pmtLength = ((pmt[1]! & 0x0f) << 8) | pmt[2]!;
  const programInfo = ((pmt[10]! & 0x0f) << 8) | pmt[11]!;
  for (let at = 12 + programInfo; at + 5 <= 3 + pmtLength - 4; ) {
    const type = pmt[at]!;
    const pid = ((pmt[at + 1]! & 0x1f) << 8) | pmt[at + 2]!;
    const info = ((pmt[at + 3]! & 0x0f) << 8) | pmt[at + 4]!;
    found.set(pid, type);
    at += 5 + info;
  }
  return found;
}

/** The elementary stream bytes of the first PES packet of `pid` (its header skipped). */
function elementary(segment: Buffer, pid: number): Buffer {
  const pes = payloads(segment, pid, 4096);
  if (pes.length < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return Buffer.alloc(0);
  return pes.subarray(9 + pes[8]!);
}

/** Exp-Golomb reader over an RBSP (emulation prevention bytes removed). */
class Bits {
  private bit = 0;
  constructor(private readonly data: Buffer) {}
  u(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.data[this.bit >> 3];
      if (byte === undefined) throw new Error('SPS ends early');
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return value;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) zeros++;
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

function rbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]!);
  }
  return Buffer.from(out);
}

/** Profile, constraint flags, level and picture size from an SPS NAL unit (header byte included). */
export function parseSps(nal: Buffer): { codec: string; width: number; height: number } {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  const codec = `avc1.${hex(nal[1]!)}${hex(nal[2]!)}${hex(nal[3]!)}`;
  const bits = new Bits(rbsp(nal.subarray(4)));
  const profile = nal[1]!;
  bits.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    chromaFormat = bits.ue();
    if (chromaFormat === 3) bits.u(1);
    bits.ue();
    bits.ue();
    bits.u(1);
    if (bits.u(1)) {
      for (let i = 0; i < (chromaFormat !== 3 ? 8 : 12); i++) {
        if (!bits.u(1)) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64) && next !== 0; j++) {
          next = (last + bits.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const pocType = bits.ue();
  if (pocType === 0) bits.ue();
  else if (pocType === 1) {
    bits.u(1);
    bits.se();
    bits.se();
    const cycle = bits.ue();
    for (let i = 0; i < cycle; i++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.u(1);
  const widthMbs = bits.ue() + 1;
  const heightMapUnits = bits.ue() + 1;
  const frameMbsOnly = bits.u(1);
  if (!frameMbsOnly) bits.u(1);
  bits.u(1);
  let crop = [0, 0, 0, 0];
  if (bits.u(1)) crop = [bits.ue(), bits.ue(), bits.ue(), bits.ue()];
  const cropX = chromaFormat === 0 || chromaFormat === 3 ? 1 : 2;
  const cropY = (chromaFormat === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return {
    codec,
    width: widthMbs * 16 - cropX * (crop[0]! + crop[1]!),
    height: (2 - frameMbsOnly) * heightMapUnits * 16 - cropY * (crop[2]! + crop[3]!),
  };
}

/** The first SPS in an H.264 byte stream. */
function findSps(stream: Buffer): Buffer | undefined {
  for (let i = 0; i + 4 < stream.length; i++) {
    if (stream[i] !== 0 || stream[i + 1] !== 0 || stream[i + 2] !== 1) continue;
    if ((stream[i + 3]! & 0x1f) !== 7) continue;
    let end = i + 3;
    while (end + 2 < stream.length && !(stream[end] === 0 && stream[end + 1] === 0 && (stream[end + 2] === 1 || stream[end + 2] === 0))) end++;
    return stream.subarray(i + 3, end + 2 < stream.length ? end : stream.length);
  }
  return undefined;
}

export function describeSegment(segment: Buffer): SegmentDescription {
  const description: SegmentDescription = { codecs: [] };
  for (const [pid, type] of streams(segment)) {
    if (type === STREAM_H264) {
      const sps = findSps(elementary(segment, pid));
      if (!sps) continue;
      try {
        const parsed = parseSps(sps);
        description.codecs.unshift(parsed.codec);
        description.width = parsed.width;
        description.height = parsed.height;
      } catch {
        /* a truncated SPS: say nothing rather than something wrong */
      }
    } else if (type === STREAM_AAC_ADTS) {
      const adts = elementary(segment, pid);
      if (adts.length >= 3 && adts[0] === 0xff && (adts[1]! & 0xf0) === 0xf0) description.codecs.push(`mp4a.40.${(adts[2]! >> 6) + 1}`);
    } else if (type === STREAM_MPEG1_AUDIO || type === STREAM_MPEG2_AUDIO) {
      description.codecs.push('mp4a.40.34');
    }
  }
  return description;
}
