import fs from 'node:fs';

/*
 * Just enough of Matroska/WebM (EBML) to repair and index a recording: the top-level elements of
 * the Segment, the clusters' timecodes, and where the file stops being whole. matroskamux and
 * webmmux write a live stream with a Segment and Clusters of unknown size, so a file cut by a
 * crash is found whole up to its last whole element.
 */

const ID_SEGMENT = 0x18538067;
const ID_CLUSTER = 0x1f43b675;
const ID_INFO = 0x1549a966;
const ID_TIMECODE_SCALE = 0x2ad7b1;
const ID_TRACKS = 0x1654ae6b;
const ID_TRACK_ENTRY = 0xae;
const ID_TRACK_TYPE = 0x83;
const ID_CLUSTER_TIMECODE = 0xe7;
/** Elements that end an unknown-size cluster: the next cluster, or another child of the Segment. */
const SEGMENT_CHILDREN = new Set([ID_CLUSTER, 0x1c53bb6b, 0x1254c367, 0x114d9b74, 0x1941a469, 0x1043a770, ID_INFO, ID_TRACKS]);
const WINDOW = 1 << 20;

interface Element {
  id: number;
  /** Where the element starts, where its data starts, and its size (undefined: unknown). */
  at: number;
  data: number;
  size?: number;
}

/** Positional reads through a window, so walking many small elements costs few system calls. */
class FileWindow {
  private buffer = Buffer.alloc(0);
  private start = 0;
  constructor(
    private readonly fd: number,
    readonly length: number,
  ) {}

  bytes(at: number, count: number): Buffer | undefined {
    if (at + count > this.length) return undefined;
    if (at < this.start || at + count > this.start + this.buffer.length) {
      this.buffer = Buffer.alloc(Math.min(Math.max(WINDOW, count), this.length - at));
      this.start = at;
      fs.readSync(this.fd, this.buffer, 0, this.buffer.length, at);
    }
    return this.buffer.subarray(at - this.start, at - this.start + count);
  }
}

/** The element at `at`: its ID and size; undefined when the file ends inside its header. */
function elementAt(file: FileWindow, at: number): Element | undefined {
  const head = file.bytes(at, Math.min(12, file.length - at));
  if (!head || head.length < 2) return undefined;
  let idLength = 1;
  while (idLength <= 4 && (head[0]! & (0x80 >> (idLength - 1))) === 0) idLength++;
  if (idLength > 4 || head.length < idLength + 1) return undefined;
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + head[i]!;
  const first = head[idLength]!;
  let sizeLength = 1;
  while (sizeLength <= 8 && (first & (0x80 >> (sizeLength - 1))) === 0) sizeLength++;
  if (sizeLength > 8 || head.length < idLength + sizeLength) return undefined;
  let size = first & (0xff >> sizeLength);
  let unknown = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    const byte = head[idLength + i]!;
    size = size * 256 + byte;
    if (byte !== 0xff) unknown = false;
  }
  return { id, at, data: at + idLength + sizeLength, ...(unknown ? {} : { size }) };
}

function unsignedAt(file: FileWindow, element: Element): number | undefined {
  if (element.size === undefined || element.size > 8) return undefined;
  const bytes = file.bytes(element.data, element.size);
  if (!bytes) return undefined;
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}

/** The children of an element of known size (whole ones only). */
function* children(file: FileWindow, parent: Element): Generator<Element> {
  const end = parent.data + (parent.size ?? 0);
  for (let at = parent.data; at < end; ) {
    const child = elementAt(file, at);
    if (!child || child.size === undefined || child.data + child.size > end) return;
    yield child;
    at = child.data + child.size;
  }
}

export interface MatroskaScan {
  /** Where the first cluster starts: the stream headers (EBML header, Segment head, Info, Tracks) come before. */
  headers: number;
  /** Each cluster: its offset and timecode in ms. */
  clusters: { o: number; t: number }[];
  /** The length up to which the file is whole: the end of its last whole element. */
  valid: number;
  hasVideo: boolean;
}

/**
 * Walk a Matroska/WebM file: its clusters (offset, timecode) and how much of it is whole. A cluster
 * of known size that the file cuts short is dropped whole; in a cluster of unknown size (a live
 * recording), blocks are kept up to the last whole one, each playable. Undefined when the file
 * does not start with an EBML header and a Segment.
 */
export function scanMatroskaFile(path: string): MatroskaScan | undefined {
  const fd = fs.openSync(path, 'r');
  try {
    const file = new FileWindow(fd, fs.fstatSync(fd).size);
    const ebml = elementAt(file, 0);
    if (!ebml || ebml.id !== 0x1a45dfa3 || ebml.size === undefined) return undefined;
    const segment = elementAt(file, ebml.data + ebml.size);
    if (!segment || segment.id !== ID_SEGMENT) return undefined;
    const segmentEnd = segment.size === undefined ? file.length : Math.min(file.length, segment.data + segment.size);
    let scale = 1_000_000;
    let hasVideo = false;
    let headers: number | undefined;
    const clusters: { o: number; t: number }[] = [];
    let valid = segment.data;
    for (let at = segment.data; at < segmentEnd; ) {
      const element = elementAt(file, at);
      if (!element) break;
      if (element.id === ID_CLUSTER) {
        headers ??= element.at;
        const end = element.size === undefined ? undefined : element.data + element.size;
        if (end !== undefined && end > file.length) break; // cut short: the cluster goes
        let timecode: number | undefined;
        let position = element.data;
        let next: number | undefined;
        for (;;) {
          if (end !== undefined ? position >= end : position >= segmentEnd) break;
          const child = elementAt(file, position);
          if (!child) break;
          if (end === undefined && SEGMENT_CHILDREN.has(child.id)) {
            next = position;
            break;
          }
          if (child.size === undefined || child.data + child.size > file.length) break;
          if (child.id === ID_CLUSTER_TIMECODE) timecode = unsignedAt(file, child);
          position = child.data + child.size;
        }
        if (timecode === undefined) break; // not even its timecode: the cluster goes
        clusters.push({ o: element.at, t: Math.round((timecode * scale) / 1_000_000) });
        valid = end ?? position;
        if (end === undefined && next === undefined) break; // the file ends in (or just after) this cluster
        at = end ?? next!;
        continue;
      }
      if (element.size === undefined || element.data + element.size > file.length) break;
      if (element.id === ID_INFO) for (const child of children(file, element)) if (child.id === ID_TIMECODE_SCALE) scale = unsignedAt(file, child) ?? scale;
      if (element.id === ID_TRACKS) {
        for (const entry of children(file, element)) {
          if (entry.id !== ID_TRACK_ENTRY) continue;
          for (const child of children(file, entry)) if (child.id === ID_TRACK_TYPE && unsignedAt(file, child) === 1) hasVideo = true;
        }
      }
      at = element.data + element.size;
      valid = at;
    }
    return { headers: headers ?? valid, clusters, valid, hasVideo };
  } finally {
    fs.closeSync(fd);
  }
}
