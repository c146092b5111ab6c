import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import {
  inject,
  injectable,
  TOKENS,
  type Announcer,
  type Clock,
  type Component,
  type HttpService,
  type Logger,
  type Mount,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
  type StreamRequest,
  type SystemLimits,
  writeRawReply,
} from '@flowcast/core';
import { AccessLog } from './access-log';
import { MemoryTrimmer } from './memory-trim';
import { BATCH_SINK, BatchSinkChannel } from './batch-sink';
import { clientAddress, TrustedProxies } from './client-address';
import { corsHeaders, preflightHeaders } from './cors';
import type { streamerHttp } from './descriptor';
import { parseBandwidth, type ListenerPolicy } from './policy';
import { loadNative, type StreamBatch } from './native';
import { StreamHub, streamHeaders } from './stream-hub';

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
export default class StreamerHttp implements Component {
  private readonly hub: StreamHub;
  private sink: BatchSinkChannel;
  private readonly native: ReturnType<typeof loadNative>;
  private readonly trimmer: MemoryTrimmer;
  private policy: ListenerPolicy;
  private readonly trustedProxies: TrustedProxies;
  private mount?: Mount;
  private accessLog?: AccessLog;
  private sweepTimer?: NodeJS.Timeout;
  private sweepEvery = 0;
  private stopped = false;
  private lastFormat?: string;
  /** When data last reached the sink (monotonic ms), for the hungry mood. */
  private lastArrival?: number;
  /** Set while the pipeline is being rebuilt: when the held listeners are let go. */
  private holdTimer?: NodeJS.Timeout;
  /** The held listeners were let go: new ones are refused until the stream is back. */
  private released = false;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.http) private readonly http: HttpService,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.announcer) private readonly announcer: Announcer,
    @inject(TOKENS.clock) private readonly clock: Clock,
    @inject(TOKENS.paths) private readonly paths: Paths,
    @inject(TOKENS.system) private readonly system: SystemLimits,
  ) {
    const native = loadNative();
    this.native = native;
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
    this.sink = new BatchSinkChannel(native, () => this.takeFromSink());
    this.trimmer = new MemoryTrimmer(native, () => clock.monotonic());
  }

  build(part: PartBuilder): void {
    // After a suspend, the new pipeline gets a new sink; the hub and its listeners stay.
    if (this.sink.isClosed) this.sink = new BatchSinkChannel(this.native, () => this.takeFromSink());
    const sink = part.element(BATCH_SINK, 'sink', { channel: this.sink.id });
    part.eater('default', sink);
  }

  async start(): Promise<void> {
    if (this.mount) {
      // Rebuilt after a failure: the mount and the held listeners are still here.
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
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
      stream: (socket, request) => this.serveStream(socket, request),
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
    clearTimeout(this.holdTimer);
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
    const props = { ...this.props, ...changes } as Properties;
    if ('client-limit' in changes) this.raiseFileLimit(props['client-limit']);
    this.policy = policyFrom(props);
    this.hub.setPolicy(this.policy);
  }

  stats(): Readonly<Record<string, number>> {
    this.takeFromSink();
    return { ...this.hub.stats() };
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
    this.takeFromSink();
    const refusal = this.hub.refusal();
    const type = this.released ? undefined : this.hub.contentType;
    if (refusal || !type) {
      this.reply(response, 503, `This stream is ${refusal ? `full (${refusal})` : 'not ready yet'}\n`, { 'Retry-After': '10' });
      return;
    }
    response.writeHead(200, streamHeaders(type, this.policy)).end();
  }

  /** A GET: the raw socket is ours; a listener costs that socket and a position in the stream log. */
  private serveStream(socket: Socket, request: StreamRequest): void {
    this.takeFromSink(); // so that the new listener's burst ends with the newest buffer
    const refusal = this.hub.refusal();
    if (this.released) {
      this.hub.noteRefused();
      writeRawReply(socket, 503, 'This stream is restarting; try again in a few seconds\n', { 'Retry-After': '5', ...corsHeaders(this.props['allow-origin']) });
      return;
    }
    if (refusal) {
      this.hub.noteRefused();
      const redirect = this.props['redirect-on-overflow'];
      const cors = corsHeaders(this.props['allow-origin']);
      if (redirect) writeRawReply(socket, 302, `Full; try ${redirect}\n`, { Location: redirect, ...cors });
      else writeRawReply(socket, 503, `This stream is full (${refusal}); try again later\n`, { 'Retry-After': '10', ...cors });
      return;
    }
    this.hub.add(socket, {
      remoteAddress: clientAddress(request.remoteAddress, request.headers['x-forwarded-for'], this.trustedProxies),
      remotePort: request.remotePort,
      requestLine: `${request.method} ${request.url} HTTP/${request.httpVersion}`,
      ...(request.headers.referer ? { referer: request.headers.referer } : {}),
      ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
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
    if (batch.caps) this.noteCaps(batch.caps);
    const now = this.clock.monotonic();
    if (batch.buffers.length > 0) this.lastArrival = now - batch.ages[batch.ages.length - 1]!;
    batch.buffers.forEach((buffer, i) => this.hub.publish(buffer, now - batch.ages[i]!, batch.flags[i]));
  }

  private noteCaps(caps: NonNullable<StreamBatch['caps']>): void {
    const format = `${caps.name}/${caps.streamheader.map((h) => h.length).join(',')}`;
    if (format === this.lastFormat) return;
    this.lastFormat = format;
    this.hub.setFormat(caps.name || 'application/octet-stream', caps.streamheader);
    this.log.info('stream format', { contentType: caps.name, headerBuffers: caps.streamheader.length });
  }
}
