import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import {
  inject,
  injectable,
  TOKENS,
  type Announcer,
  type AppSinkHandle,
  type CapsStructure,
  type Clock,
  type Component,
  type HttpService,
  type Logger,
  type Mount,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
  type RunningPart,
  type StreamRequest,
  type SystemLimits,
} from '@flowcast/core';
import { AccessLog } from './access-log';
import type { streamerHttp } from './descriptor';
import { parseBandwidth, type ListenerPolicy } from './policy';
import { StreamHub } from './stream-hub';

type Properties = PropertiesOf<(typeof streamerHttp)['properties']>;

/** How long to wait before pulling again from a sink that is not playing yet. */
const SINK_RETRY_MS = 20;
const SWEEP_INTERVAL_MS = 1000;
/** File descriptors the process needs besides listeners (pipeline, logs, other mounts). */
const SPARE_FILES = 256;

/** A complete small HTTP response written straight to a socket that is then closed. */
function writeRawReply(socket: Socket, status: string, text: string, headers: Record<string, string>): void {
  const lines = Object.entries({ ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`HTTP/1.1 ${status}\r\n${lines.join('')}\r\n${text}`);
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
  };
}

/** appsink → StreamHub → every listener on the mount. */
@injectable()
export default class StreamerHttp implements Component {
  private readonly hub: StreamHub;
  private mount?: Mount;
  private accessLog?: AccessLog;
  private sweepTimer?: NodeJS.Timeout;
  private stopped = false;
  private lastFormat?: string;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.http) private readonly http: HttpService,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.announcer) private readonly announcer: Announcer,
    @inject(TOKENS.clock) clock: Clock,
    @inject(TOKENS.paths) private readonly paths: Paths,
    @inject(TOKENS.system) private readonly system: SystemLimits,
  ) {
    this.hub = new StreamHub(policyFrom(props), () => clock.monotonic(), {
      dropped: (request, reason) => this.log.warn('listener disconnected', { client: request.remoteAddress, reason }),
      closed: (record) => this.accessLog?.write(record),
    });
  }

  build(part: PartBuilder): void {
    const sink = part.element('appsink', 'sink', { sync: false, 'emit-signals': false, 'max-buffers': 0, drop: false });
    part.eater('default', sink);
  }

  async start(part: RunningPart): Promise<void> {
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
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.pull(part.element('sink') as AppSinkHandle);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    this.hub.closeAll();
    await this.mount?.close();
    await this.accessLog?.close();
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.hub.stats() };
  }

  private raiseFileLimit(): void {
    const wanted = this.props['client-limit'] + SPARE_FILES;
    if (this.props['client-limit'] === 0) return;
    const { limit, raised } = this.system.ensureOpenFiles(wanted);
    if (raised) this.log.info('open-file limit raised', { limit });
    if (limit < wanted) this.log.warn(`open-file limit is ${limit}, below the ${wanted} that client-limit ${this.props['client-limit']} needs: listeners beyond it will be refused by the system`);
  }

  /** Requests other than GET, through the HTTP layer: HEAD and the refusal of other methods. */
  private serve(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'HEAD') {
      this.reply(response, 405, `${request.method} is not allowed on a stream: use GET or HEAD\n`, { Allow: 'GET, HEAD' });
      return;
    }
    const refusal = this.hub.refusal();
    const type = this.hub.contentType;
    if (refusal || !type) {
      this.reply(response, 503, `This stream is ${refusal ? `full (${refusal})` : 'not ready yet'}\n`, { 'Retry-After': '10' });
      return;
    }
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache, no-store', Connection: 'close' }).end();
  }

  /** A GET: the raw socket is ours; a listener costs that socket and a position in the stream log. */
  private serveStream(socket: Socket, request: StreamRequest): void {
    const refusal = this.hub.refusal();
    if (refusal) {
      this.hub.noteRefused();
      const redirect = this.props['redirect-on-overflow'];
      if (redirect) writeRawReply(socket, '302 Found', `Full; try ${redirect}\n`, { Location: redirect });
      else writeRawReply(socket, '503 Service Unavailable', `This stream is full (${refusal}); try again later\n`, { 'Retry-After': '10' });
      return;
    }
    this.hub.add(socket, {
      remoteAddress: request.remoteAddress,
      remotePort: request.remotePort,
      requestLine: `${request.method} ${request.url} HTTP/${request.httpVersion}`,
      ...(request.headers.referer ? { referer: request.headers.referer } : {}),
      ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
    });
  }

  private reply(response: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
    response.shouldKeepAlive = false;
    response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close' }).end(text);
  }

  /** Once a second the hub forgets listeners that left and enforces its limits. */
  private sweep(): void {
    if (!this.stopped) this.hub.sweep();
  }

  private pull(sink: AppSinkHandle): void {
    const onSample = (buffer: Buffer | null, caps: CapsStructure): void => {
      if (this.stopped) return;
      if (!buffer) {
        // Not playing yet (or flushing): the sink answers at once with nothing, so ask again shortly.
        setTimeout(() => sink.pull(onSample), SINK_RETRY_MS);
        return;
      }
      if (caps.name) this.noteCaps(caps);
      this.hub.publish(buffer);
      sink.pull(onSample);
    };
    sink.pull(onSample);
  }

  private noteCaps(caps: CapsStructure): void {
    const headers = Array.isArray(caps.streamheader) ? caps.streamheader : [];
    const format = `${caps.name}/${headers.map((h) => h.length).join(',')}`;
    if (format === this.lastFormat) return;
    this.lastFormat = format;
    this.hub.setFormat(caps.name ?? 'application/octet-stream', headers);
    this.log.info('stream format', { contentType: caps.name, headerBuffers: headers.length });
  }
}
