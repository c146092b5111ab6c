import { BufferFlag } from './native';

/**
 * Which buffers a new listener can start on, from the bytes and GStreamer's flags (BufferFlag).
 * For Ogg, a page is a sync point when it does not continue a packet from the page before; when
 * the stream carries video (Theora or VP8, seen in the stream headers), only pages starting a
 * video keyframe are. Any other format: the buffers the muxer did not flag as delta units, as
 * Flumotion's multifdsink chose them. matroskamux and webmmux flag everything but the start of
 * a cluster, and start a cluster on each video keyframe; lamemp3enc flags none of its frames.
 */
export type SyncDetector = (buffer: Buffer, flags: number) => boolean;

const OGG_CONTINUED = 0x01;

export function syncDetectorFor(contentType: string, headers: readonly Buffer[]): SyncDetector {
  if (contentType !== 'application/ogg') return (_buffer, flags) => (flags & BufferFlag.deltaUnit) === 0;
  const video = videoSerials(headers);
  if (video.size === 0) return (page) => isOggPage(page) && (page[5]! & OGG_CONTINUED) === 0;
  return (page) => {
    if (!isOggPage(page)) return false;
    const codec = video.get(page.readUInt32LE(14));
    if (!codec) return false;
    const packet = firstWholePacket(page);
    if (!packet) return false;
    // Theora: a data packet (high bit clear) with bit 0x40 clear is an intra frame.
    // VP8 in Ogg: bit 0 of the frame tag is 0 for a key frame.
    return codec === 'theora' ? (packet[0]! & 0x80) === 0 && (packet[0]! & 0x40) === 0 : (packet[0]! & 0x01) === 0;
  };
}

function isOggPage(buffer: Buffer): boolean {
  return buffer.length >= 27 && buffer.toString('latin1', 0, 4) === 'OggS';
}

/** Serial numbers of the video logical streams, from their beginning-of-stream header pages. */
function videoSerials(headers: readonly Buffer[]): Map<number, 'theora' | 'vp8'> {
  const serials = new Map<number, 'theora' | 'vp8'>();
  for (const page of headers) {
    if (!isOggPage(page)) continue;
    const body = page.subarray(27 + page[26]!);
    if (body.toString('latin1', 1, 7) === 'theora' && body[0] === 0x80) serials.set(page.readUInt32LE(14), 'theora');
    if (body.toString('latin1', 0, 5) === 'OVP80') serials.set(page.readUInt32LE(14), 'vp8');
  }
  return serials;
}

/** The first packet that starts on this page (skipping the tail of a continued one). */
function firstWholePacket(page: Buffer): Buffer | undefined {
  const segments = page[26]!;
  let position = 27 + segments;
  let i = 0;
  if (page[5]! & OGG_CONTINUED) {
    while (i < segments && page[27 + i] === 255) position += page[27 + i++]!;
    if (i >= segments) return undefined;
    position += page[27 + i++]!;
  }
  return i < segments && position < page.length ? page.subarray(position) : undefined;
}
