import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import {
  accessRequest,
  askBouncer,
  BATCH_SINK,
  BatchSinkChannel,
  bouncerNamed,
  Connection,
  inject,
  injectable,
  TOKENS,
  type AccessDecision,
  type Announcer,
  type Bouncer,
  type Bouncers,
  type LiveStream,
  type LiveStreams,
  type Clock,
  type Component,
  type HttpService,
  type ListenerInfo,
  type Logger,
  type Mount,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
  type StreamBatch,
  type StreamRequest,
  type SystemLimits,
  writeRawReply,
} from '@flowcast/core';
import { AccessLog } from '@flowcast/core';
import { MemoryTrimmer } from './memory-trim';
import { clientAddress, TrustedProxies } from './client-address';
import { corsHeaders, preflightHeaders } from './cors';
import type { streamerHttp } from './descriptor';
import { parseBandwidth, type ListenerPolicy } from './policy';
import { loadNative } from './native';
import { StreamHub, streamHeaders } from './stream-hub';
import { mpegAudioContentType, NowPlaying } from './now-playing';
import { wantsIcy } from './icy';

type Properties = PropertiesOf<(typeof streamerHttp)['properties']>;

/** How often listeners are checked (lag, limits, departures) while there are any. */
const SWEEP_INTERVAL_MS = 1000;
/**
 * How often the sink's queue is taken while nobody listens. Arrival times come from the sink, so
 * this only bounds how much waits there; a new listener, HEAD and stats() take first anyway.
 */
const IDLE_SWEEP_INTERVAL_MS = 5000;
/** What the mount answers: GET (the stream), HEAD, and OPTIONS (CORS preflights). */
const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
/** File descriptors the process needs besides listeners (pipeline, logs, other mounts). */
const SPARE_FILES = 256;

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function refusalText(status: 401 | 403): string {
  return status === 401 ? 'This stream needs a user name and password\n' : 'You may not listen to this stream\n';
}

function refusalHeaders(decision: Extract<AccessDecision, { allow: false }>): Record<string, string> {
  return decision.status === 401 && decision.challenge ? { 'WWW-Authenticate': decision.challenge } : {};
}

/** The streamer's properties as the hub's policy. */
export function policyFrom(p: Properties): ListenerPolicy {
  const burst: ListenerPolicy['burst'] =
    p['burst-size'] !== undefined
      ? { mode: 'bytes', bytes: p['burst-size'] }
      : p['burst-time'] !== undefined
        ? { mode: 'time', ms: p['burst-time'] * 1000 }
        : p['burst-on-connect']
          ? { mode: 'latest-sync' }
          : { mode: 'off' };
  return {
    burst,
    softLagMs: p['soft-lag'] * 1000,
    hardLagMs: p['hard-lag'] * 1000,
    idleTimeoutMs: p['idle-timeout'] * 1000,
    writeIntervalMs: p['write-interval'],
    maxClientBuffer: p['max-client-buffer'],
    clientLimit: p['client-limit'],
    bandwidthLimit: p['bandwidth-limit'] ? parseBandwidth(p['bandwidth-limit']) : 0,
    ...(p['redirect-on-overflow'] ? { redirectOnOverflow: p['redirect-on-overflow'] } : {}),
    allowOrigin: p['allow-origin'],
    station: { name: p['station-name'], description: p['station-description'], genre: p['station-genre'], url: p['station-url'] },
  };
}

/**
 * flowcastbatchsink → StreamHub → every listener on the mount. While nobody listens, the sink's
 * queue is taken every few seconds, and whenever a listener comes (so that its burst ends with
 * the newest buffer); while somebody listens, each buffer wakes the streamer as it arrives.
 */
@injectable()
export default class StreamerHttp implements Component, LiveStream {
  private readonly hub: StreamHub;
  private sink: BatchSinkChannel;
  private readonly trimmer: MemoryTrimmer;
  private policy: ListenerPolicy;
  private readonly trustedProxies: TrustedProxies;
  private bouncer?: Bouncer;
  private mount?: Mount;
  private accessLog?: AccessLog;
  private sweepTimer?: NodeJS.Timeout;
  private sweepEvery = 0;
  private stopped = false;
  private lastFormat?: string;
  /** When data last reached the sink (monotonic ms), for the hungry mood. */
  private lastArrival?: number;
  /** How old the newest buffer whose age is known was when it reached the sink (ms): the pipeline's latency. */
  private pipelineLatencyMs?: number;
  /** Set while the pipeline is being rebuilt: when the held listeners are let go. */
  private holdTimer?: NodeJS.Timeout;
  /** The held listeners were let go: new ones are refused until the stream is back. */
  private released = false;
  /** The title and artist, as ICY metadata and Ogg comments (`title`, `artist`: x-live). */
  private readonly nowPlaying: NowPlaying;
  /** audio/mpeg caps seen before any frame told MP3 from AAC: set at the first frame. */
  private undecidedCaps?: NonNullable<StreamBatch['caps']>;
  /** Why the stream cannot carry a title, as last warned. */
  private titleWarning?: string;
  /** The properties with the live changes made so far (`props` is as the flow started). */
  private liveProps: Properties;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.http) private readonly http: HttpService,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.announcer) private readonly announcer: Announcer,
    @inject(TOKENS.clock) private readonly clock: Clock,
    @inject(TOKENS.paths) private readonly paths: Paths,
    @inject(TOKENS.system) private readonly system: SystemLimits,
    @inject(TOKENS.bouncers) private readonly bouncers: Bouncers,
    @inject(TOKENS.liveStreams) liveStreams: LiveStreams,
  ) {
    const native = loadNative();
    this.policy = policyFrom(props);
    this.trustedProxies = new TrustedProxies(props['trusted-proxies']);
    this.hub = new StreamHub(
      this.policy,
      () => clock.monotonic(),
      {
        dropped: (request, reason) => this.log.warn('listener disconnected', { client: request.remoteAddress, reason }),
        closed: (record) => this.accessLog?.write(record),
      },
      native,
    );
    this.liveProps = props;
    this.nowPlaying = new NowPlaying({ title: props.title, artist: props.artist });
    this.hub.useIcy(this.nowPlaying.icy, props['icy-metaint']);
    this.sink = new BatchSinkChannel(() => this.takeFromSink());
    this.trimmer = new MemoryTrimmer(native, () => clock.monotonic());
    liveStreams.register(props.port, props.mount, this);
  }

  /** A listener archive-http followed through the recording of this stream, now caught up with it. */
  continueAfter(socket: Socket, after: Buffer, listener: { remoteAddress: string; requestLine: string; userAgent?: string; user?: string; until?: number }): boolean {
    if (this.stopped) return false;
    this.takeFromSink();
    if (this.hub.refusal()) return false;
    const taken = this.hub.continueAfter(Connection.of(socket), { ...listener, remotePort: socket.remotePort ?? 0 }, after);
    if (taken) {
      this.sink.wakeOnEachBuffer(true);
      if (this.sweepEvery !== SWEEP_INTERVAL_MS) this.scheduleSweep();
    }
    return taken;
  }

  /** The bouncer named must be a component of this flow. */
  preflight(): void {
    this.bouncer = bouncerNamed(this.bouncers, this.props.bouncer);
  }

  build(part: PartBuilder): void {
    // After a suspend, the new pipeline gets a new sink; the hub and its listeners stay.
    if (this.sink.isClosed) this.sink = new BatchSinkChannel(() => this.takeFromSink());
    const sink = part.element(BATCH_SINK, 'sink', { channel: this.sink.id });
    part.eater('default', sink);
  }

  async start(): Promise<void> {
    if (this.mount) {
      // Rebuilt after a failure: the mount and the held listeners are still here; they are held
      // until the new stream's data comes (a rebuild that fails again does not hold them longer).
      // New listeners are welcome again: they wait for the new stream's first data.
      this.released = false;
      this.scheduleSweep();
      return;
    }
    this.raiseFileLimit();
    if (this.props['access-log']) {
      fs.mkdirSync(this.paths.logs, { recursive: true });
      this.accessLog = new AccessLog(path.join(this.paths.logs, this.props['access-log']), (error) => this.log.warn(`access log: ${error.message}`));
    }
    this.mount = await this.http.mount({
      port: this.props.port,
      host: this.props['bind-address'],
      path: this.props.mount,
      handler: (request, response) => this.serve(request, response),
      stream: (connection, request) => this.serveStream(connection, request),
    });
    this.announcer.announce('stream', this.mount.url);
    this.scheduleSweep();
  }

  /**
   * The pipeline failed and is rebuilt: keep the mount and hold the listeners, who get the new
   * stream's headers and data when it comes, or are let go after `hold-on-restart` seconds.
   */
  suspend(): void {
    this.takeFromSink();
    this.sink.close();
    this.lastFormat = undefined;
    this.hub.newStream();
    if (this.holdTimer || this.released) return; // held since an earlier failure, or let go already
    const holdMs = this.props['hold-on-restart'] * 1000;
    const release = (): void => {
      this.holdTimer = undefined;
      this.released = true;
      if (this.hub.listenerCount > 0) this.log.warn('listeners let go: the stream did not come back in time', { listeners: this.hub.listenerCount, holdSeconds: this.props['hold-on-restart'] });
      this.hub.release(`the stream did not come back within ${this.props['hold-on-restart']} s`);
    };
    if (holdMs <= 0) release();
    else {
      this.holdTimer = setTimeout(release, holdMs);
      if (this.hub.listenerCount > 0) this.log.info('holding listeners while the stream restarts', { listeners: this.hub.listenerCount, holdSeconds: this.props['hold-on-restart'] });
    }
  }

  lastDataAt(): number | undefined {
    this.takeFromSink();
    return this.lastArrival;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.holdTimer);
    clearTimeout(this.sweepTimer);
    this.sink.close();
    this.hub.closeAll();
    await this.mount?.close();
    await this.accessLog?.close();
  }

  /** The listener limits change live (descriptor: x-live); what sizes the stream log does not. */
  update(changes: Readonly<Record<string, unknown>>): void {
    // On top of the changes made before: a change of one property keeps the others' changes.
    const props = { ...this.liveProps, ...changes } as Properties;
    this.liveProps = props;
    if ('client-limit' in changes) this.raiseFileLimit(props['client-limit']);
    this.policy = policyFrom(props);
    this.hub.setPolicy(this.policy);
    if ('title' in changes || 'artist' in changes) {
      this.takeFromSink(); // the new title starts after what is already here
      this.nowPlaying.set({ title: props.title, artist: props.artist });
      this.log.info('now playing', { title: props.title ?? '', artist: props.artist ?? '' });
    }
  }

  stats(): Readonly<Record<string, number>> {
    this.takeFromSink();
    const latency = this.pipelineLatencyMs;
    return { ...this.hub.stats(), ...(latency !== undefined ? { pipelineLatencyMs: Math.round(latency * 10) / 10 } : {}) };
  }

  listeners(): readonly ListenerInfo[] {
    return this.hub.listenerStates().map((l) => ({
      id: l.id,
      mount: this.props.mount,
      address: l.remoteAddress,
      ...(l.userAgent !== undefined ? { userAgent: l.userAgent } : {}),
      connectedAt: l.connectedAt,
      bytes: l.bytes,
      lagMs: l.lagMs,
    }));
  }

  kick(id: number): boolean {
    return this.hub.kick(id);
  }

  private raiseFileLimit(clientLimit = this.props['client-limit']): void {
    const wanted = clientLimit + SPARE_FILES;
    if (clientLimit === 0) return;
    const { limit, raised } = this.system.ensureOpenFiles(wanted);
    if (raised) this.log.info('open-file limit raised', { limit });
    if (limit < wanted) this.log.warn(`open-file limit is ${limit}, below the ${wanted} that client-limit ${clientLimit} needs: listeners beyond it will be refused by the system`);
  }

  /** Requests other than GET, through the HTTP layer: HEAD, CORS preflights, and the refusal of other methods. */
  private serve(request: IncomingMessage, response: ServerResponse): void {
    if (request.method === 'OPTIONS') {
      response.shouldKeepAlive = false;
      response.writeHead(204, { Allow: ALLOWED_METHODS, ...preflightHeaders(this.props['allow-origin']), Connection: 'close' }).end();
      return;
    }
    if (request.method !== 'HEAD') {
      this.reply(response, 405, `${request.method} is not allowed on a stream: use GET or HEAD\n`, { Allow: ALLOWED_METHODS });
      return;
    }
    const client = clientAddress(request.socket.remoteAddress ?? '-', headerText(request.headers['x-forwarded-for']), this.trustedProxies);
    void askBouncer(this.bouncer, accessRequest(request.method, request.url ?? '/', request.headers, client), this.log).then((decision) => {
      if (!decision.allow) this.reply(response, decision.status, refusalText(decision.status), refusalHeaders(decision));
      else this.answerHead(response);
    });
  }

  private answerHead(response: ServerResponse): void {
    this.takeFromSink();
    const refusal = this.hub.refusal();
    const type = this.released ? undefined : this.hub.contentType;
    if (refusal || !type) {
      this.reply(response, 503, `This stream is ${refusal ? `full (${refusal})` : 'not ready yet'}\n`, { 'Retry-After': '10' });
      return;
    }
    response.writeHead(200, streamHeaders(type, this.policy)).end();
  }

  /** A GET: checked by the bouncer, if any, then admitted. */
  private serveStream(connection: Connection, request: StreamRequest): void {
    if (!this.bouncer) return this.admit(connection, request, {});
    const client = clientAddress(request.remoteAddress, request.headers['x-forwarded-for'], this.trustedProxies);
    void askBouncer(this.bouncer, accessRequest(request.method, request.url, request.headers, client), this.log).then((decision) => {
      if (!decision.allow) {
        writeRawReply(connection.socket(), decision.status, refusalText(decision.status), { ...refusalHeaders(decision), ...corsHeaders(this.props['allow-origin']) });
        return;
      }
      this.admit(connection, request, { ...(decision.user ? { user: decision.user } : {}), ...(decision.until !== undefined ? { until: decision.until } : {}) });
    });
  }

  /** The connection is ours; a listener costs its descriptor and a position in the stream log. */
  private admit(connection: Connection, request: StreamRequest, access: { user?: string; until?: number }): void {
    this.takeFromSink(); // so that the new listener's burst ends with the newest buffer
    const refusal = this.hub.refusal();
    if (this.released) {
      this.hub.noteRefused();
      writeRawReply(connection.socket(), 503, 'This stream is restarting; try again in a few seconds\n', { 'Retry-After': '5', ...corsHeaders(this.props['allow-origin']) });
      return;
    }
    if (refusal) {
      this.hub.noteRefused();
      const redirect = this.liveProps['redirect-on-overflow'];
      const cors = corsHeaders(this.props['allow-origin']);
      if (redirect) writeRawReply(connection.socket(), 302, `Full; try ${redirect}\n`, { Location: redirect, ...cors });
      else writeRawReply(connection.socket(), 503, `This stream is full (${refusal}); try again later\n`, { 'Retry-After': '10', ...cors });
      return;
    }
    this.hub.add(connection, {
      remoteAddress: clientAddress(request.remoteAddress, request.headers['x-forwarded-for'], this.trustedProxies),
      remotePort: request.remotePort,
      requestLine: `${request.method} ${request.url} HTTP/${request.httpVersion}`,
      ...(request.headers.referer ? { referer: request.headers.referer } : {}),
      ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      ...access,
      ...(wantsIcy(request.headers) ? { icyMetadata: true } : {}),
    });
    this.sink.wakeOnEachBuffer(true);
    if (this.sweepEvery !== SWEEP_INTERVAL_MS) this.scheduleSweep();
  }

  private reply(response: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
    response.shouldKeepAlive = false;
    response.writeHead(status, { ...headers, ...corsHeaders(this.props['allow-origin']), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close' }).end(text);
  }

  /** Take what the sink queued, forget listeners that left, enforce the limits. */
  private sweep(): void {
    if (this.stopped) return;
    this.takeFromSink();
    this.hub.sweep(SWEEP_INTERVAL_MS);
    this.trimmer.afterSweep(this.hub.connects);
    this.sink.wakeOnEachBuffer(this.hub.listenerCount > 0);
    this.scheduleSweep();
  }

  /** Every second while anybody listens; every few seconds otherwise. */
  private scheduleSweep(): void {
    if (this.stopped) return;
    clearTimeout(this.sweepTimer);
    this.sweepEvery = this.hub.listenerCount > 0 ? SWEEP_INTERVAL_MS : IDLE_SWEEP_INTERVAL_MS;
    this.sweepTimer = setTimeout(() => this.sweep(), this.sweepEvery);
  }

  /** Hand what the sink queued to the hub, with the time each buffer reached the sink. */
  private takeFromSink(): void {
    if (this.stopped) return;
    const batch = this.sink.take();
    if (!batch) return;
    const caps = batch.caps ?? this.undecidedCaps;
    if (caps) this.noteCaps(caps, batch.buffers[0]);
    const now = this.clock.monotonic();
    if (batch.buffers.length > 0) this.lastArrival = now - batch.ages[batch.ages.length - 1]!;
    for (let i = batch.latencies.length - 1; i >= 0; i--) {
      if (batch.latencies[i]! < 0) continue;
      this.pipelineLatencyMs = batch.latencies[i];
      break;
    }
    batch.buffers.forEach((buffer, i) => this.nowPlaying.publish(this.hub, buffer, now - batch.ages[i]!, batch.flags[i]!));
    if ((this.holdTimer || this.released) && !this.hub.isRestarting) {
      // The new stream is here: the held listeners have it, and new ones are welcome again.
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
      this.released = false;
    }
  }

  private noteCaps(caps: NonNullable<StreamBatch['caps']>, firstBuffer: Buffer | undefined): void {
    this.undecidedCaps = undefined;
    const format = `${caps.name}/${caps.streamheader.map((h) => h.length).join(',')}`;
    if (format === this.lastFormat) return;
    const contentType = caps.name === 'audio/mpeg' ? mpegAudioContentType(firstBuffer) : httpContentType(caps.name);
    if (!contentType) {
      this.undecidedCaps = caps; // MP3 or AAC: the first frame will tell
      return;
    }
    this.lastFormat = format;
    const { headers, unsupported } = this.nowPlaying.headersFor(contentType, caps.streamheader);
    if (unsupported && unsupported !== this.titleWarning && (this.liveProps.title || this.liveProps.artist)) this.log.warn(`the title is not carried in this stream: ${unsupported}`);
    this.titleWarning = unsupported; // said once, not at each caps update (webmmux sends two)
    this.hub.setFormat(contentType, headers);
    this.log.info('stream format', { contentType, headerBuffers: caps.streamheader.length });
  }
}

/**
 * The Content-Type for a stream whose caps are `mediaType`: GStreamer's media type, except where
 * it differs from the registered one (mpegtsmux says video/mpegts; RFC 3555 registers video/MP2T).
 */
export function httpContentType(mediaType: string | undefined): string {
  if (!mediaType) return 'application/octet-stream';
  return mediaType === 'video/mpegts' ? 'video/mp2t' : mediaType;
}
