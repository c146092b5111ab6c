/** Reading the live playlists hlssink2 writes, and writing the master playlist over them. */

export interface MediaSegment {
  /** The file name, as the playlist lists it. */
  readonly uri: string;
  readonly duration: number;
}

/** The segments of a media playlist (#EXTINF then the URI line). */
export function segmentsOf(playlist: string): MediaSegment[] {
  const segments: MediaSegment[] = [];
  let duration: number | undefined;
  for (const line of playlist.split(/\r?\n/)) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf) duration = Number(extinf[1]);
    else if (line && !line.startsWith('#') && duration !== undefined) {
      segments.push({ uri: line.trim(), duration });
      duration = undefined;
    }
  }
  return segments;
}

export interface RenditionSummary {
  /** Path of its media playlist relative to the master playlist. */
  readonly uri: string;
  /** Peak bitrate: the largest segment's bits over its duration, as HLS defines BANDWIDTH. */
  readonly peakBitsPerSecond: number;
  readonly averageBitsPerSecond: number;
  /** RFC 6381 codec strings ("avc1.4d401e", "mp4a.40.2"), when known. */
  readonly codecs?: readonly string[];
  readonly resolution?: { readonly width: number; readonly height: number };
}

/** Peak and average bitrate of the listed segments, from their sizes. */
export function measure(segments: readonly MediaSegment[], sizeOf: (uri: string) => number | undefined): { peak: number; average: number } | undefined {
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  for (const segment of segments) {
    const size = sizeOf(segment.uri);
    if (size === undefined || segment.duration <= 0) continue;
    peak = Math.max(peak, (size * 8) / segment.duration);
    bits += size * 8;
    seconds += segment.duration;
  }
  return seconds > 0 ? { peak: Math.ceil(peak), average: Math.ceil(bits / seconds) } : undefined;
}

/**
 * The master playlist: one EXT-X-STREAM-INF per rendition, with the bandwidths measured from
 * what was encoded and the codecs and size read from a segment (the encoders' settings are
 * theirs, not this component's), highest first as players expect the first to be the default.
 */
export function masterPlaylist(renditions: readonly RenditionSummary[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of [...renditions].sort((a, b) => b.peakBitsPerSecond - a.peakBitsPerSecond)) {
    const attributes = [`BANDWIDTH=${r.peakBitsPerSecond}`, `AVERAGE-BANDWIDTH=${r.averageBitsPerSecond}`];
    if (r.codecs?.length) attributes.push(`CODECS="${r.codecs.join(',')}"`);
    if (r.resolution) attributes.push(`RESOLUTION=${r.resolution.width}x${r.resolution.height}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, r.uri);
  }
  return `${lines.join('\n')}\n`;
}
