import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  accessRequest,
  askBouncer,
  bouncerNamed,
  FlowcastError,
  inject,
  injectable,
  TOKENS,
  type Announcer,
  type Bouncer,
  type Bouncers,
  type LiveStream,
  type LiveStreams,
  type Clock,
  type Component,
  type HttpService,
  type Logger,
  type Mount,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
  AccessLog,
  FileSender,
  type AccessRecord,
  type Connection,
  type Sent,
  type StreamRequest,
} from '@flowcast/core';
import { CatalogCache } from './catalog-cache';
import type { archiveHttp } from './descriptor';
import { podcastFeed } from './feed';
import { serveFile } from './file-response';
import { GrowingFiles } from './growing-files';
import { listenAgain } from './listen-again';
import { htmlIndex, listed } from './listing';
import { parseListenQuery } from './listen-query';
import { serveRawFile } from './raw-file';
import { openRecording, resolveRecording } from './safe-path';

type Properties = PropertiesOf<(typeof archiveHttp)['properties']>;

/** What the access log learns of a request as it is answered. */
interface LogEntry {
  user?: string;
  /** How a recording sent by the file sender ended. */
  sent?: Promise<Sent>;
  headBytes?: number;
}

const ALLOWED = 'GET, HEAD, OPTIONS';
/** What each recording type is served as. */
const CONTENT_TYPES: Record<string, string> = {
  'application/ogg': 'application/ogg',
  'video/webm': 'video/webm',
  'audio/webm': 'audio/webm',
  'video/x-matroska': 'video/x-matroska',
  'audio/x-matroska': 'audio/x-matroska',
};

/** The access log's record of a raw GET, but for how it ended. */
function rawLogEntry(request: StreamRequest, rawUrl: string): Omit<AccessRecord, 'status' | 'bytes' | 'end'> {
  return {
    remoteAddress: request.remoteAddress,
    requestLine: `GET ${rawUrl} HTTP/${request.httpVersion}`,
    ...(request.headers.referer ? { referer: request.headers.referer } : {}),
    ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
    start: Date.now(),
  };
}

/**
 * The archive on the HTTP front, below `mount`:
 *   GET  {mount}                           the HTML index
 *   GET  {mount}?start=ISO&duration=S      listen again (no duration: on into the recording in progress)
 *   GET  {mount}/index.json                the listing
 *   GET  {mount}/feed.rss                  a podcast feed of the recordings
 *   GET  {mount}/NAME                      a recording, with byte ranges and conditional requests
 */
@injectable()
export default class ArchiveHttp implements Component {
  private readonly directory: string;
  private directoryReal = '';
  private readonly catalog: CatalogCache;
  private readonly growing: GrowingFiles;
  private bouncer?: Bouncer;
  private live?: LiveStream;
  private mount?: Mount;
  private readonly responses = new Set<ServerResponse>();
  /** Sends recordings to their listeners (sendfile, driven by the sockets' readiness). */
  private sender?: FileSender;
  private accessLog?: AccessLog;
  private readonly counters = { requests: 0, listenAgain: 0, handedOver: 0, bytesSent: 0 };

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.http) private readonly http: HttpService,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.announcer) private readonly announcer: Announcer,
    @inject(TOKENS.clock) private readonly clock: Clock,
    @inject(TOKENS.paths) private readonly paths: Paths,
    @inject(TOKENS.bouncers) private readonly bouncers: Bouncers,
    @inject(TOKENS.liveStreams) private readonly liveStreams: LiveStreams,
  ) {
    this.directory = path.resolve(paths.project, props.directory);
    this.catalog = new CatalogCache(this.directory, (lines) => {
      for (const line of lines) log.warn(`${line.file}:${line.line}: skipped a line that cannot be read`);
    });
    this.growing = new GrowingFiles(this.directory, () => clock.monotonic());
  }

  /** The directory is created if missing (the recorder may not have started yet), and must be readable. */
  preflight(): void {
    this.bouncer = bouncerNamed(this.bouncers, this.props.bouncer);
    const live = this.props.live;
    if (live) {
      this.live = this.liveStreams.get(this.props.port, live);
      if (!this.live) {
        throw new FlowcastError('FC_PREFLIGHT', `no live stream at ${live} on port ${this.props.port} in this flow`, {
          fix: 'name the mount of a streamer-http of this flow on the same port, or remove `live`',
          location: { property: 'live' },
        });
      }
    }
    fs.mkdirSync(this.directory, { recursive: true });
    fs.accessSync(this.directory, fs.constants.R_OK | fs.constants.X_OK);
  }

  build(_part: PartBuilder): void {
    // Nothing in the pipeline: the archive is served from disk.
  }

  async start(): Promise<void> {
    this.directoryReal = fs.realpathSync(this.directory);
    this.sender = new FileSender();
    if (this.props['access-log']) {
      fs.mkdirSync(this.paths.logs, { recursive: true });
      this.accessLog = new AccessLog(path.join(this.paths.logs, this.props['access-log']), (error) => this.log.warn(`access log: ${error.message}`));
    }
    this.mount = await this.http.mount({
      port: this.props.port,
      host: this.props['bind-address'],
      path: this.props.mount,
      prefix: true,
      handler: (request, response) => this.serve(request, response),
      stream: (connection, request) => this.serveRaw(connection, request),
    });
    this.announcer.announce('archive', this.mount.url);
  }

  async stop(): Promise<void> {
    for (const response of this.responses) response.destroy();
    this.sender?.close();
    await this.mount?.close();
    await this.accessLog?.close();
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.counters, listeners: this.responses.size + (this.sender?.size ?? 0) };
  }

  private cors(): Record<string, string> {
    return this.props['allow-origin'] ? { 'Access-Control-Allow-Origin': this.props['allow-origin'] } : {};
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    this.counters.requests++;
    const entry = this.accessLog ? this.logWhenDone(request, response) : undefined;
    this.handle(request, response, entry).catch((error: Error) => {
      this.log.warn(`archive request failed: ${error.message}`, { url: request.url });
      if (!response.headersSent) this.text(response, 500, 'The archive could not answer this request\n');
      else response.destroy();
    });
  }

  /**
   * A GET of a recording on an unprotected mount, taken straight off the connection (raw-file.ts):
   * a listener then costs the file sender's descriptor and offset, with no Socket or HTTP objects
   * made at all. Anything else (a bouncer to ask, a listing, listen again, several ranges, a name that does
   * not resolve) is declined, at once, to `serve`, which answers it through Node's HTTP server.
   */
  private serveRaw(connection: Connection, request: StreamRequest): boolean {
    if (this.bouncer || !this.sender) return false;
    const rawUrl = request.url;
    if (rawUrl.includes('?') || rawUrl.includes('\0') || /%00/i.test(rawUrl) || (request.headers.range ?? '').includes(',')) return false;
    const below = rawUrl.slice(this.props.mount.length);
    if (!rawUrl.startsWith(this.props.mount) || !below.startsWith('/')) return false;
    const name = below.slice(1);
    if (name === '' || name === 'index.json' || name === 'feed.rss') return false;
    const opened = openRecording(this.directoryReal, name, (n) => this.catalog.find(n));
    if (!('fd' in opened)) return false;
    this.counters.requests++;
    const type = CONTENT_TYPES[opened.found.type] ?? 'application/octet-stream';
    // What the access log will say of the request, taken now: the connection is let go once the transfer starts.
    const logged = this.accessLog ? rawLogEntry(request, rawUrl) : undefined;
    let answer;
    try {
      answer = serveRawFile(connection, request, opened.fd, type, this.cors(), this.sender);
    } catch (error) {
      this.log.warn(`archive request failed: ${(error as Error).message}`, { url: rawUrl });
      connection.destroy();
      return true;
    } finally {
      fs.closeSync(opened.fd);
    }
    const { status, headBytes, sent } = answer;
    const served = (bytes: number): void => {
      if (status === 200 || status === 206) this.counters.bytesSent += bytes;
      if (logged) this.accessLog?.write({ ...logged, status, bytes, end: Date.now() });
    };
    if (sent) void sent.then((s) => served(headBytes + s.bytes));
    else served(headBytes);
    return true;
  }

  /**
   * The access log's line for a request, written when it is over: once the connection closes, or
   * for a recording the file sender took over, once the sender is done with it (bytes: what went
   * on the connection, head and body).
   */
  private logWhenDone(request: IncomingMessage, response: ServerResponse): LogEntry {
    const socket = request.socket;
    const referer = request.headers.referer;
    const userAgent = request.headers['user-agent'];
    const entry: LogEntry = {};
    const start = Date.now();
    response.once('close', () => {
      const record = (bytes: number): AccessRecord => ({
        remoteAddress: socket.remoteAddress ?? '-',
        ...(entry.user ? { user: entry.user } : {}),
        requestLine: `${request.method} ${request.url} HTTP/${request.httpVersion}`,
        status: response.statusCode,
        bytes,
        ...(referer ? { referer } : {}),
        ...(userAgent ? { userAgent } : {}),
        start,
        end: Date.now(),
      });
      const written = socket.bytesWritten;
      if (entry.sent) void entry.sent.then((sent) => this.accessLog?.write(record(written + (entry.headBytes ?? 0) + sent.bytes)));
      else this.accessLog?.write(record(written));
    });
    return entry;
  }

  private async handle(request: IncomingMessage, response: ServerResponse, entry?: LogEntry): Promise<void> {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { Allow: ALLOWED, ...this.cors(), 'Access-Control-Allow-Methods': ALLOWED, 'Access-Control-Allow-Headers': 'Range, If-Range, If-None-Match, If-Modified-Since' }).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      this.text(response, 405, `${request.method} is not allowed here: use GET or HEAD\n`, { Allow: ALLOWED });
      return;
    }
    const decision = await askBouncer(this.bouncer, accessRequest(request.method ?? 'GET', request.url ?? '/', request.headers, request.socket.remoteAddress ?? '-'), this.log);
    if (!decision.allow) {
      const challenge: Record<string, string> = decision.status === 401 && decision.challenge ? { 'WWW-Authenticate': decision.challenge } : {};
      this.text(response, decision.status, decision.status === 401 ? 'The archive needs a user name and password\n' : 'You may not listen to this\n', challenge);
      return;
    }
    if (entry && decision.user) entry.user = decision.user;
    if (decision.until !== undefined) {
      // The credentials expire: so does the answer, however long it streams.
      const timer = setTimeout(() => response.destroy(), Math.max(0, decision.until - Date.now()));
      response.once('close', () => clearTimeout(timer));
    }
    const rawUrl = request.url ?? '/';
    if (rawUrl.includes('\0') || /%00/i.test(rawUrl)) {
      this.text(response, 400, 'Bad request\n');
      return;
    }
    const url = new URL(rawUrl, 'http://archive');
    const rawPath = rawUrl.split('?')[0]!;
    const below = rawPath.slice(this.props.mount.length);
    if (below === '' || below === '/') {
      if (url.searchParams.has('start')) return this.listen(request, response, url.searchParams, { ...(decision.allow && decision.user ? { user: decision.user } : {}), ...(decision.allow && decision.until !== undefined ? { until: decision.until } : {}) });
      const html = this.catalog.render('html', (recordings) => htmlIndex(this.props.title, this.props.mount, recordings.map((r) => listed(r, this.props.mount))));
      this.body(request, response, 200, 'text/html; charset=utf-8', html);
      return;
    }
    const name = below.slice(1);
    if (name === 'index.json') {
      const json = this.catalog.render('json', (recordings) => JSON.stringify({ recordings: recordings.map((r) => listed(r, this.props.mount)) }));
      this.body(request, response, 200, 'application/json; charset=utf-8', json);
      return;
    }
    if (name === 'feed.rss') {
      const feed = podcastFeed({ title: this.props.title, base: this.publicBase(request) }, this.catalog.list());
      this.body(request, response, 200, 'application/rss+xml; charset=utf-8', feed);
      return;
    }
    const resolved = resolveRecording(this.directoryReal, name, (n) => this.catalog.find(n));
    if ('status' in resolved) {
      this.text(response, resolved.status, resolved.status === 404 ? 'No such recording\n' : 'Bad request\n');
      return;
    }
    const type = CONTENT_TYPES[this.catalog.find(resolved.name)!.type] ?? 'application/octet-stream';
    const answer = await serveFile(request, response, resolved.file, type, this.cors(), this.sender!, decision.until);
    void answer.sent?.then((sent) => (this.counters.bytesSent += sent.bytes));
    if (entry && answer.sent) {
      entry.sent = answer.sent;
      if (answer.headBytes) entry.headBytes = answer.headBytes;
    }
  }

  private async listen(request: IncomingMessage, response: ServerResponse, query: URLSearchParams, access: { user?: string; until?: number }): Promise<void> {
    const parsed = parseListenQuery(query, this.clock.now());
    if ('error' in parsed) {
      this.text(response, 400, `${parsed.error}\n`);
      return;
    }
    let open = true;
    let handedOver = false;
    const live = parsed.end === undefined ? this.live : undefined;
    const handOver = async (after: Buffer): Promise<boolean> => {
      const socket = response.socket;
      // Everything written so far must have reached the kernel before another writer takes over.
      for (let i = 0; i < 200 && open && socket && (response.writableLength > 0 || socket.writableLength > 0); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      if (!open || !socket || response.writableLength > 0 || socket.writableLength > 0 || !live) return false;
      const requestLine = `${request.method} ${request.url} HTTP/${request.httpVersion}`;
      const userAgent = request.headers['user-agent'];
      handedOver = live.continueAfter(socket, after, { remoteAddress: socket.remoteAddress ?? '-', requestLine, ...(userAgent ? { userAgent } : {}), ...access });
      if (handedOver) this.counters.handedOver++;
      return handedOver;
    };
    const source = { directory: this.directory, recordings: () => this.catalog.list(), open: () => open, growing: this.growing, ...(live ? { handOver } : {}) };
    const stream = listenAgain(source, parsed);
    // The first piece is the stream headers, found only once the start is: no start, nothing recorded.
    const first = await stream.next();
    const type = this.catalog.list().find((r) => (r.end ?? Infinity) > parsed.start)?.type ?? 'application/ogg';
    if (first.done) {
      this.text(response, 404, 'Nothing was recorded in that time\n');
      return;
    }
    const headers = { 'Content-Type': CONTENT_TYPES[type] ?? 'application/octet-stream', 'Cache-Control': 'no-cache, no-store', ...this.cors() };
    if (request.method === 'HEAD') {
      await stream.return(undefined);
      response.writeHead(200, headers).end();
      return;
    }
    this.counters.listenAgain++;
    // No chunked encoding: the body is the stream itself, so the connection can go on with the
    // live streamer, which writes the stream as it is.
    response.useChunkedEncodingByDefault = false;
    response.writeHead(200, headers);
    this.responses.add(response);
    response.once('close', () => {
      open = false;
      this.responses.delete(response);
    });
    try {
      await this.write(response, first.value!, () => open);
      for await (const chunk of stream) await this.write(response, chunk, () => open);
    } catch {
      // The listener left.
    }
    if (!handedOver) response.end();
  }

  /** Write a chunk, waiting for the client to take what is queued (bounded memory per listener). */
  private async write(response: ServerResponse, chunk: Buffer, open: () => boolean): Promise<void> {
    if (!open()) throw new Error('the listener left');
    this.counters.bytesSent += chunk.length;
    if (response.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  /**
   * The archive's absolute URL for the feed: `public-url` when set; else from the request's Host,
   * when it is a plain host[:port] (anything else could put text of the client's choosing in the
   * feed); else the bound address.
   */
  private publicBase(request: IncomingMessage): string {
    if (this.props['public-url']) return this.props['public-url'].replace(/\/+$/, '');
    const host = request.headers.host ?? '';
    const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : `${this.props['bind-address'] === '0.0.0.0' ? '127.0.0.1' : this.props['bind-address']}:${this.props.port}`;
    return `http://${safeHost}${this.props.mount}`;
  }

  private body(request: IncomingMessage, response: ServerResponse, status: number, type: string, text: string): void {
    response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache', ...this.cors() });
    response.end(request.method === 'HEAD' ? undefined : text);
  }

  private text(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { ...headers, ...this.cors(), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
  }
}
