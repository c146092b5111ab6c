import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  inject,
  injectable,
  TOKENS,
  type Announcer,
  type AppSinkHandle,
  type CapsStructure,
  type Component,
  type HttpService,
  type Logger,
  type Mount,
  type PartBuilder,
  type PropertiesOf,
  type RunningPart,
} from '@flowcast/core';
import type { streamerHttp } from './descriptor';
import { StreamHub } from './stream-hub';

type Properties = PropertiesOf<(typeof streamerHttp)['properties']>;

/** How long to wait before pulling again from a sink that is not playing yet. */
const SINK_RETRY_MS = 20;

/** appsink → StreamHub → every listener on the mount. */
@injectable()
export default class StreamerHttp implements Component {
  private readonly hub: StreamHub;
  private mount?: Mount;
  private stopped = false;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.http) private readonly http: HttpService,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.announcer) private readonly announcer: Announcer,
  ) {
    this.hub = new StreamHub(props['max-client-buffer'], (response) =>
      this.log.warn('listener too slow, disconnected', { client: response.req.socket.remoteAddress, buffered: response.writableLength }),
    );
  }

  build(part: PartBuilder): void {
    const sink = part.element('appsink', 'sink', { sync: false, 'emit-signals': false, 'max-buffers': 0, drop: false });
    part.eater('default', sink);
  }

  async start(part: RunningPart): Promise<void> {
    this.mount = await this.http.mount({
      port: this.props.port,
      host: this.props['bind-address'],
      path: this.props.mount,
      handler: (request, response) => this.serve(request, response),
    });
    this.announcer.announce('stream', this.mount.url);
    this.pull(part.element('sink') as AppSinkHandle);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.hub.closeAll();
    await this.mount?.close();
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const text = `${request.method} is not allowed on a stream: use GET or HEAD\n`;
      response.shouldKeepAlive = false;
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
      return;
    }
    // A live stream has no length: send it raw and close the connection at the end.
    response.useChunkedEncodingByDefault = false;
    response.shouldKeepAlive = false;
    if (request.method === 'HEAD') {
      response.writeHead(this.hub.format ? 200 : 503, { 'Content-Type': this.hub.format ?? 'text/plain', 'Cache-Control': 'no-cache, no-store' }).end();
      return;
    }
    this.hub.add(response);
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
      this.hub.broadcast(buffer);
      sink.pull(onSample);
    };
    sink.pull(onSample);
  }

  private lastCapsName?: string;
  private lastHeaderCount = -1;

  private noteCaps(caps: CapsStructure): void {
    const headers = Array.isArray(caps.streamheader) ? caps.streamheader : [];
    if (caps.name === this.lastCapsName && headers.length === this.lastHeaderCount) return;
    this.lastCapsName = caps.name;
    this.lastHeaderCount = headers.length;
    this.hub.setFormat(caps.name ?? 'application/octet-stream', headers);
    this.log.info('stream format', { contentType: caps.name, headerBuffers: headers.length });
  }
}
