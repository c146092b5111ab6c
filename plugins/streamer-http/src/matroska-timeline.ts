/**
 * Keeps a live Matroska/WebM stream's time going forward across pipeline restarts.
 *
 * A rebuilt pipeline's stream starts again at time 0, and its listeners get it in line after a new
 * EBML header and segment. GStreamer's matroskademux (push mode, as from HTTP) carries its
 * position over into the new segment and drops every block before it: a listener that had played
 * an hour of the old stream would hear nothing for the next hour. So each cluster timecode of a
 * new stream is moved on by as much as it takes to follow the old stream's last cluster by the
 * real time between them. webmmux (streamable) sends each cluster's head (ID, unknown size,
 * Timecode) as a buffer of its own, and blocks' times are relative to their cluster's, so moving
 * a stream in time is rewriting that one element of each cluster head.
 */

const CLUSTER_ID = [0x1f, 0x43, 0xb6, 0x75] as const;
const TIMECODE_ID = 0xe7;

/** An EBML variable-size integer at `at`: its length in bytes and value (undefined for "unknown"). */
function readVint(buffer: Buffer, at: number): { length: number; value?: number } | undefined {
  const first = buffer[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (at + length > buffer.length) return undefined;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = buffer[at + i]!;
    allOnes &&= byte === 0xff;
    value = value * 256 + byte;
  }
  return allOnes ? { length } : { length, value };
}

/**
 * A cluster head with an unknown size (as a live muxer writes it) and its Timecode element: the
 * timecode and where the element's bytes are; undefined for any other buffer.
 */
export function clusterTimecode(buffer: Buffer): { timecode: number; start: number; end: number } | undefined {
  if (buffer.length < 8 || CLUSTER_ID.some((byte, i) => buffer[i] !== byte)) return undefined;
  const size = readVint(buffer, 4);
  // A cluster of known size could not take a longer timecode element: those are left alone.
  if (!size || size.value !== undefined) return undefined;
  const start = 4 + size.length;
  if (buffer[start] !== TIMECODE_ID) return undefined;
  const length = readVint(buffer, start + 1);
  if (!length || length.value === undefined || length.value > 8) return undefined;
  const valueAt = start + 1 + length.length;
  const end = valueAt + length.value;
  if (end > buffer.length) return undefined;
  let timecode = 0;
  for (let i = valueAt; i < end; i++) timecode = timecode * 256 + buffer[i]!;
  return { timecode, start, end };
}

/** The same cluster head with its Timecode element set to `timecode` (8 bytes). */
function withTimecode(buffer: Buffer, at: { start: number; end: number }, timecode: number): Buffer {
  const element = Buffer.alloc(10);
  element[0] = TIMECODE_ID;
  element[1] = 0x88; // size: 8 bytes
  element.writeBigUInt64BE(BigInt(timecode), 2);
  return Buffer.concat([buffer.subarray(0, at.start), element, buffer.subarray(at.end)]);
}

export class MatroskaTimeline {
  /** Added to the current stream's cluster timecodes (in the segment's timecode units, ms for webmmux). */
  private shift = 0;
  /** The last cluster sent (its timecode as sent) and when it arrived (monotonic ms). */
  private last?: { timecode: number; arrivedAt: number };
  private restarted = false;

  /** A new stream follows (the pipeline is rebuilt): its clusters are moved on after the old one's. */
  newStream(): void {
    this.restarted = true;
  }

  /** The buffer to send for `buffer`: itself, or a cluster head moved on in time. */
  rewrite(buffer: Buffer, arrivedAt: number): Buffer {
    const found = clusterTimecode(buffer);
    if (!found) return buffer;
    if (this.restarted) {
      this.restarted = false;
      if (this.last) {
        // The real time between the old stream's last cluster and this one, and never backwards.
        const target = this.last.timecode + Math.max(1, Math.round(arrivedAt - this.last.arrivedAt));
        this.shift = Math.max(0, target - found.timecode);
      }
    }
    const timecode = found.timecode + this.shift;
    this.last = { timecode, arrivedAt };
    return this.shift === 0 ? buffer : withTimecode(buffer, found, timecode);
  }
}
