/**
 * One file decoded by a small GStreamer pipeline of its own, paced in real time by its appsink
 * (sync=true), its buffers handed over one by one. The description holds no value from the
 * flow: the file's path and the caps are set on the element objects.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst = require('gstreamer-superficial') as {
  Pipeline: new (description: string) => DecoderPipeline;
};

interface DecoderPipeline {
  play(): void;
  stop(): void;
  findChild(name: string): Record<string, unknown> & { pull?(callback: (buffer: Buffer | null) => void): void };
  pollBus(callback: (message: Record<string, unknown>) => void): void;
}

/** decodebin only exposes what matches its caps: a video file gives its audio and nothing else. */
const DESCRIPTION =
  'filesrc name=file ! decodebin name=decode caps=audio/x-raw expose-all-streams=false ! audioconvert ! audioresample ! capsfilter name=format ! appsink name=sink sync=true max-buffers=4';
/** How long to wait before pulling again from a sink that is not playing yet. */
const RETRY_MS = 20;

export interface DecoderEvents {
  buffer(data: Buffer): void;
  /** The whole file was played. */
  end(): void;
  /** It could not be played; `reason` is GStreamer's message. */
  error(reason: string): void;
}

export class FileDecoder {
  private readonly pipeline: DecoderPipeline;
  private done = false;
  private buffers = 0;

  constructor(
    file: string,
    rawCaps: string,
    private readonly events: DecoderEvents,
  ) {
    this.pipeline = new gst.Pipeline(DESCRIPTION);
    // The binding polls the bus from a libuv pool thread that waits for ever. A pipeline that
    // flushes its bus when it stops leaves a poll that starts late with nothing to read, and that
    // one stuck thread keeps the process from ever exiting (the pool is joined at exit). Kept
    // unflushed, the stop's own state messages are there for it.
    (this.pipeline as unknown as Record<string, unknown>)['auto-flush-bus'] = false;
    this.pipeline.findChild('file')['location'] = file;
    this.pipeline.findChild('format')['caps'] = rawCaps;
  }

  /** Buffers handed over so far. */
  get delivered(): number {
    return this.buffers;
  }

  start(): void {
    const sink = this.pipeline.findChild('sink');
    this.pipeline.pollBus((message) => {
      if (this.done) return;
      if (message.type === 'error') {
        const debug = typeof message.debug === 'string' ? message.debug.split('\n').pop() : undefined;
        this.finish(() => this.events.error(`${String(message.message ?? 'GStreamer error')}${debug ? ` (${debug})` : ''}`));
      }
    });
    const onSample = (buffer: Buffer | null): void => {
      if (this.done) return;
      if (!buffer) {
        if (sink['eos'] === true) this.finish(() => (this.buffers > 0 ? this.events.end() : this.events.error('it holds no audio')));
        else setTimeout(() => !this.done && sink.pull!(onSample), RETRY_MS);
        return;
      }
      this.buffers++;
      this.events.buffer(buffer);
      sink.pull!(onSample);
    };
    this.pipeline.play();
    sink.pull!(onSample);
  }

  stop(): void {
    this.finish(() => undefined);
  }

  private finish(then: () => void): void {
    if (this.done) return;
    this.done = true;
    // Not from inside a GStreamer callback: stopping a pipeline waits for its threads.
    setImmediate(() => {
      this.pipeline.stop();
      then();
    });
  }
}
