import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import type { Component, ComponentClass } from '../api/component';
import type { PartBuilder } from '../api/part';
import type { AppSinkHandle, CapsStructure, RunningPart } from '../api/running';
import { TOKENS } from '../api/tokens';

/** How long to wait before pulling again from a sink that is not playing yet. */
const SINK_RETRY_MS = 20;

/** What one capture component received. */
export class CapturedFeed {
  readonly buffers: Buffer[] = [];
  /** The caps of the first buffer, in GStreamer's serialised form. */
  caps?: string;
  private finished = false;
  private readonly waiting: (() => void)[] = [];

  /** The sink is at end-of-stream and every buffer before it was pulled. */
  finish(): void {
    this.finished = true;
    for (const done of this.waiting.splice(0)) done();
  }

  /** Resolves once finished, or after `ms` at the latest. */
  drained(ms: number): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The captured feeds of one run, by capture component name. */
export class CaptureStore {
  private readonly feeds = new Map<string, CapturedFeed>();

  open(component: string): CapturedFeed {
    const feed = new CapturedFeed();
    this.feeds.set(component, feed);
    return feed;
  }

  get(component: string): CapturedFeed | undefined {
    return this.feeds.get(component);
  }

  async drained(ms: number): Promise<void> {
    await Promise.all([...this.feeds.values()].map((feed) => feed.drained(ms)));
  }
}

/**
 * The capture component class of one run: `typefind ! appsink`. The appsink's samples carry their
 * caps only as a parsed structure, so the typefind in front of it, which adopts the caps event it
 * receives as the type it found, is read for the caps in GStreamer's own serialised form.
 */
export function captureClass(store: CaptureStore): ComponentClass {
  @injectable()
  class Capture implements Component {
    private readonly feed: CapturedFeed;
    private stopped = false;

    constructor(@inject(TOKENS.componentName) name: string) {
      this.feed = store.open(name);
    }

    build(part: PartBuilder): void {
      const typefind = part.element('typefind', 'typefind');
      const sink = part.element('appsink', 'sink', { sync: false, 'emit-signals': false, 'max-buffers': 0, drop: false });
      part.link(typefind, sink);
      part.eater('default', typefind);
    }

    start(part: RunningPart): void {
      const sink = part.element('sink') as AppSinkHandle;
      const typefind = part.element('typefind');
      const onSample = (buffer: Buffer | null, caps: CapsStructure): void => {
        if (this.stopped) return;
        if (!buffer) {
          // Null means end-of-stream once the sink says so; before that, the sink is not playing yet.
          if (sink['eos'] === true) this.feed.finish();
          else setTimeout(() => sink.pull(onSample), SINK_RETRY_MS);
          return;
        }
        if (this.feed.caps === undefined) {
          const serialised = typefind['caps'];
          this.feed.caps = typeof serialised === 'string' ? serialised : String(caps.name ?? '');
        }
        this.feed.buffers.push(buffer);
        sink.pull(onSample);
      };
      sink.pull(onSample);
    }

    stop(): void {
      this.stopped = true;
    }
  }
  return Capture;
}
