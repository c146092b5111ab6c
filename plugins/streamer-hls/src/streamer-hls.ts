import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  inject,
  injectable,
  TOKENS,
  FileSender,
  type Announcer,
  type Component,
  type ElementRef,
  type HttpService,
  type Logger,
  type Mount,
  type PartBuilder,
  type PropertiesOf,
} from '@flowcast/core';
import type { streamerHls } from './descriptor';
import { masterPlaylist, measure, segmentsOf, type RenditionSummary } from './playlists';
import { routeOf, type Route } from './routes';
import { describeSegment, type SegmentDescription } from './segment-codecs';
import { sendSegmentBody } from './segment-response';

type Properties = PropertiesOf<(typeof streamerHls)['properties']>;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp2t';
/** A segment's name carries the run it belongs to, so its content never changes under one URL. */
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
/** Segments kept after they leave the playlist, for players that fetched the playlist just before. */
const SEGMENTS_KEPT_AFTER = 2;
/** How long a playlist read from disk is served before it is read again (ms). */
const PLAYLIST_REREAD_MS = 100;

/**
 * One hlssink2 per rendition (video feed), each with the audio through a tee, writing MPEG-TS
 * segments and its live playlist into a directory of this component's own; the HTTP front serves
 * them below `mount`, with the master playlist built from what was actually written.
 */
@injectable()
export default class StreamerHls implements Component {
  private directory?: string;
  private renditions = 0;
  private mount?: Mount;
  /** Sends segments with sendfile(2) whenever a player's socket has room (core/native). */
  private sender?: FileSender;
  private readonly counts = { playlists: 0, segments: 0, segmentBytes: 0, notFound: 0 };
  /** Each rendition's playlist as last read, and when (mediaPlaylist). */
  private readonly playlistCache = new Map<number, { text: string | undefined; readAt: number }>();
  /** Codecs and size of each rendition, read once from one of its segments. */
  private readonly described = new Map<number, SegmentDescription>();

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.http) private readonly http: HttpService,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.announcer) private readonly announcer: Announcer,
  ) {}

  build(part: PartBuilder): void {
    const p = this.props;
    this.renditions = part.feedCount('video');
    this.directory = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-hls-'));
    const run = Date.now().toString(36);
    const withAudio = part.feedCount('audio') > 0;
    const audioTee = withAudio ? part.element('tee', 'audio-tee') : undefined;
    const videoInputs: ElementRef[] = [];
    for (let i = 0; i < this.renditions; i++) {
      const folder = path.join(this.directory, String(i));
      fs.mkdirSync(folder);
      // target-duration is where hlssink2 cuts, at the next keyframe, asking the encoder for one.
      const sink = part.element('hlssink2', `sink-${i}`, {
        location: path.join(folder, `${run}-%05d.ts`),
        'playlist-location': path.join(folder, 'index.m3u8'),
        'target-duration': p['segment-duration'],
        'playlist-length': p['playlist-length'],
        'max-files': p['playlist-length'] + SEGMENTS_KEPT_AFTER,
      });
      const video = part.element('queue', `video-${i}`);
      part.linkToPad(video, sink, 'video');
      videoInputs.push(video);
      if (audioTee) {
        const audio = part.element('queue', `audio-${i}`);
        part.link(audioTee, audio);
        part.linkToPad(audio, sink, 'audio');
      }
    }
    part.eater('video', videoInputs);
    if (audioTee) part.eater('audio', audioTee);
  }

  async start(): Promise<void> {
    this.sender = new FileSender();
    this.mount = await this.http.mount({
      port: this.props.port,
      host: this.props['bind-address'],
      path: this.props.mount,
      prefix: true,
      handler: (request, response) => this.serve(request, response),
    });
    this.announcer.announce('hls', `${this.mount.url}/index.m3u8`);
  }

  async stop(): Promise<void> {
    await this.mount?.close();
    this.sender?.close();
    if (this.directory) fs.rmSync(this.directory, { recursive: true, force: true });
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const cors: Record<string, string> = this.props['allow-origin'] ? { 'Access-Control-Allow-Origin': this.props['allow-origin'] } : {};
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { Allow: 'GET, HEAD, OPTIONS', ...cors, ...(this.props['allow-origin'] ? { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Max-Age': '86400' } : {}) }).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      this.text(response, 405, `${request.method} is not allowed here: use GET or HEAD\n`, { Allow: 'GET, HEAD, OPTIONS', ...cors });
      return;
    }
    const pathname = (request.url ?? '/').split('?')[0]!;
    const route = pathname.startsWith(this.props.mount) ? routeOf(pathname.slice(this.props.mount.length), this.renditions) : undefined;
    if (!route) {
      this.counts.notFound++;
      this.text(response, 404, `Not found. The master playlist is ${this.props.mount}/index.m3u8\n`, cors);
      return;
    }
    this.answer(route, request.method === 'HEAD', response, cors);
  }

  private answer(route: Route, headOnly: boolean, response: ServerResponse, cors: Record<string, string>): void {
    const retry = { 'Retry-After': String(this.props['segment-duration']), ...cors };
    if (route.kind === 'segment') {
      this.sendSegment(path.join(this.directory!, String(route.rendition), route.file), headOnly, response, cors);
      return;
    }
    const body = route.kind === 'master' ? this.master() : this.mediaPlaylist(route.rendition);
    if (body === undefined) {
      this.text(response, 503, 'The first segment is not ready yet\n', retry);
      return;
    }
    this.counts.playlists++;
    // A live playlist changes with each segment: cached for at most half a segment (Apple's
    // advice for live playlists), so a CDN or an nginx cache in front stays close to live.
    const maxAge = route.kind === 'master' ? this.props['segment-duration'] : Math.max(1, Math.floor(this.props['segment-duration'] / 2));
    response.writeHead(200, {
      'Content-Type': PLAYLIST_TYPE,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': `public, max-age=${maxAge}`,
      ...cors,
    });
    response.end(headOnly ? undefined : body);
  }

  /**
   * A rendition's live playlist as hlssink2 last wrote it (it replaces the file whole), once it
   * lists a segment. Read at most every PLAYLIST_REREAD_MS: thousands of players polling it cost
   * one read a tenth of a second, not one each (a player polls once per target duration anyway).
   */
  private mediaPlaylist(rendition: number): string | undefined {
    const now = performance.now();
    const cached = this.playlistCache.get(rendition);
    if (cached && now - cached.readAt < PLAYLIST_REREAD_MS) return cached.text;
    let text: string | undefined;
    try {
      const read = fs.readFileSync(path.join(this.directory!, String(rendition), 'index.m3u8'), 'utf8');
      text = segmentsOf(read).length > 0 ? read : undefined;
    } catch {
      text = undefined;
    }
    this.playlistCache.set(rendition, { text, readAt: now });
    return text;
  }

  private master(): string | undefined {
    const summaries: RenditionSummary[] = [];
    for (let i = 0; i < this.renditions; i++) {
      const playlist = this.mediaPlaylist(i);
      if (playlist === undefined) return undefined;
      const folder = path.join(this.directory!, String(i));
      const rate = measure(segmentsOf(playlist), (uri) => {
        try {
          return fs.statSync(path.join(folder, path.basename(uri))).size;
        } catch {
          return undefined;
        }
      });
      if (!rate) return undefined;
      const description = this.describe(i, folder, segmentsOf(playlist).at(-1)!.uri);
      summaries.push({
        uri: `${i}/index.m3u8`,
        peakBitsPerSecond: rate.peak,
        averageBitsPerSecond: rate.average,
        ...(description?.codecs.length ? { codecs: description.codecs } : {}),
        ...(description?.width && description.height ? { resolution: { width: description.width, height: description.height } } : {}),
      });
    }
    return masterPlaylist(summaries);
  }

  private describe(rendition: number, folder: string, uri: string): SegmentDescription | undefined {
    const known = this.described.get(rendition);
    if (known) return known;
    try {
      const description = describeSegment(fs.readFileSync(path.join(folder, path.basename(uri))));
      if (description.codecs.length) this.described.set(rendition, description);
      return description;
    } catch {
      return undefined;
    }
  }

  private sendSegment(file: string, headOnly: boolean, response: ServerResponse, cors: Record<string, string>): void {
    // Opened before answering: a segment removed meanwhile is a 404, and once open it can be
    // read to the end even if hlssink2 removes it.
    void fs.promises.open(file, 'r').then(
      async (handle) => {
        try {
          const size = (await handle.stat()).size;
          response.writeHead(200, { 'Content-Type': SEGMENT_TYPE, 'Content-Length': size, 'Cache-Control': SEGMENT_CACHE, ...cors });
          if (headOnly) {
            response.end();
            return;
          }
          this.counts.segments++;
          this.counts.segmentBytes += size;
          await sendSegmentBody(response, handle, size, this.sender!);
        } catch (error) {
          this.log.warn('segment read failed', { file: path.basename(file), error: (error as Error).message });
          response.destroy();
        } finally {
          await handle.close();
        }
      },
      () => {
        this.counts.notFound++;
        this.text(response, 404, 'No such segment (it may have left the playlist)\n', cors);
      },
    );
  }

  private text(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' }).end(body);
  }
}
