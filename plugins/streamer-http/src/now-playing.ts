import { carriesIcy, IcyMetadata } from './icy';
import { OggChain, type NowPlayingTags } from './ogg-chain';
import type { StreamHub } from './stream-hub';

export type { NowPlayingTags } from './ogg-chain';

/** What ICY's StreamTitle shows: "artist - title", or whichever of them is set. */
export function streamTitle(tags: NowPlayingTags): string {
  if (tags.artist && tags.title) return `${tags.artist} - ${tags.title}`;
  return tags.title ?? tags.artist ?? '';
}

/**
 * The stream's now-playing title (the streamer's `title` and `artist`, changeable live), carried
 * as the stream's format allows: ICY metadata blocks for MP3 and AAC listeners that ask for them
 * (icy.ts, framed by the hub), a new chained logical stream with the new comments for Ogg
 * (ogg-chain.ts, applied here to the stream every listener gets). WebM and MPEG-TS carry none.
 */
export class NowPlaying {
  readonly icy = new IcyMetadata();
  private readonly ogg = new OggChain();
  private isOgg = false;

  constructor(tags: NowPlayingTags) {
    this.set(tags);
  }

  set(tags: NowPlayingTags): void {
    this.icy.set(streamTitle(tags));
    this.ogg.setTags(tags);
  }

  /** The stream's format is known: the headers new listeners get (Ogg: rewritten with the title), and why titles cannot be carried, if so. */
  headersFor(contentType: string, headers: Buffer[]): { headers: Buffer[]; unsupported?: string } {
    this.isOgg = contentType === 'application/ogg';
    if (this.isOgg) return this.ogg.setHeaders(headers);
    if (carriesIcy(contentType)) return { headers };
    return { headers, unsupported: `${contentType} has no way to carry it (titles reach MP3 and AAC listeners as ICY metadata, and Ogg Vorbis and Opus as new comments)` };
  }

  /** A buffer from the pipeline to the hub, through the Ogg chain when the stream is Ogg. */
  publish(hub: StreamHub, buffer: Buffer, arrivedAt: number, flags: number): void {
    if (!this.isOgg) return hub.publish(buffer, arrivedAt, flags);
    this.ogg.process(buffer, flags, {
      publish: (data, dataFlags) => hub.publish(data, arrivedAt, dataFlags),
      chain: (headers) => hub.chain(headers, arrivedAt),
    });
  }
}

/**
 * AAC (ADTS) or MP3: both arrive as audio/mpeg caps; an ADTS frame header has layer bits 00,
 * an MP3 frame's do not. Undefined until a frame is there to tell.
 */
export function mpegAudioContentType(firstFrame: Buffer | undefined): string | undefined {
  if (!firstFrame || firstFrame.length < 2 || firstFrame[0] !== 0xff || (firstFrame[1]! & 0xf0) !== 0xf0) return firstFrame ? 'audio/mpeg' : undefined;
  return (firstFrame[1]! & 0x06) === 0 ? 'audio/aac' : 'audio/mpeg';
}
