import fs from 'node:fs';
import path from 'node:path';
import {
  BATCH_SINK,
  BatchSinkChannel,
  closeInterrupted,
  compactCatalog,
  readCatalog,
  FlowcastError,
  inject,
  injectable,
  TOKENS,
  type Clock,
  type Component,
  type Logger,
  type PartBuilder,
  type Paths,
  type PropertiesOf,
} from '@flowcast/core';
import type { recorderDisk } from './descriptor';
import { DirectoryLock } from './directory-lock';
import { Recorder, type RecorderState } from './recorder';
import { applyRetention } from './retention';
import { icalSchedule } from './ical-schedule';
import { cronSchedule } from './schedule';

type Properties = PropertiesOf<(typeof recorderDisk)['properties']>;

/**
 * How often the sink's queue is taken and written out. What the sink still holds is what a kill -9
 * loses (with what GStreamer had not yet muxed), so this stays well under the 1 s the recorder
 * promises.
 */
const TAKE_INTERVAL_MS = 250;
/** How often retention runs besides at each new file. */
const RETENTION_INTERVAL_MS = 60_000;
/** After a write error (disk full), how long before recording is tried again. */
const RETRY_AFTER_MS = 10_000;

/**
 * flowcastbatchsink → Recorder → files in `directory`. At start, recordings a crash left open are
 * closed (cut to their last whole page) before anything new is written.
 */
@injectable()
export default class RecorderDisk implements Component {
  private readonly directory: string;
  private readonly sink: BatchSinkChannel;
  private readonly recorder: Recorder;
  private readonly lock: DirectoryLock;
  /** A rotate-schedule that is not a cron expression: preflight reports it. */
  private readonly scheduleError?: FlowcastError;
  private takeTimer?: NodeJS.Timeout;
  private retentionTimer?: NodeJS.Timeout;
  private lastFile?: string;
  private stopped = false;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.clock) private readonly clock: Clock,
    @inject(TOKENS.paths) paths: Paths,
  ) {
    this.directory = path.resolve(paths.project, props.directory);
    this.lock = new DirectoryLock(this.directory);
    this.sink = new BatchSinkChannel(() => this.take());
    let schedule: ((after: number) => number) | undefined;
    if (props['rotate-ical'] && props['rotate-schedule']) {
      this.scheduleError = new FlowcastError('FC_PREFLIGHT', 'rotate-ical and rotate-schedule are both set: a recorder follows one schedule', {
        fix: 'keep one of them',
        location: { property: 'rotate-ical' },
      });
    } else if (props['rotate-ical']) {
      const file = path.resolve(paths.project, props['rotate-ical']);
      try {
        schedule = icalSchedule(file);
      } catch (error) {
        this.scheduleError = new FlowcastError('FC_PREFLIGHT', `rotate-ical ${file} cannot be used: ${(error as Error).message}`, {
          fix: 'name a readable iCalendar file (.ics) with at least one VEVENT',
          location: { property: 'rotate-ical' },
        });
      }
    } else if (props['rotate-schedule']) {
      try {
        schedule = cronSchedule(props['rotate-schedule'], props['filename-timezone']);
      } catch (error) {
        this.scheduleError = new FlowcastError('FC_PREFLIGHT', `rotate-schedule "${props['rotate-schedule']}" is not a cron expression: ${(error as Error).message}`, {
          fix: 'write minute hour day month weekday, such as "0 * * * *" for every hour',
          location: { property: 'rotate-schedule' },
        });
      }
    }
    this.recorder = new Recorder(
      {
        directory: this.directory,
        template: props.filename,
        zone: props['filename-timezone'],
        rotateEveryMs: props['rotate-time'] * 1000,
        ...(schedule ? { schedule } : {}),
        rotateSize: props['rotate-size'],
        overlapMs: props['time-overlap'] * 1000,
        syncIntervalMs: props['sync-interval'] * 1000,
        retryAfterMs: RETRY_AFTER_MS,
      },
      this.log,
      props['start-recording'],
    );
  }

  /** The directory must exist (it is created), take a new file, and not be another recorder's. */
  preflight(): void {
    if (this.scheduleError) throw this.scheduleError;
    const probe = path.join(this.directory, `.flowcast-probe-${process.pid}`);
    try {
      fs.mkdirSync(this.directory, { recursive: true });
      fs.writeFileSync(probe, '');
      fs.rmSync(probe);
    } catch (error) {
      throw new FlowcastError('FC_PREFLIGHT', `recordings directory "${this.directory}" is not writable: ${(error as Error).message}`, {
        fix: 'create the directory and give the user running Flowcast write access to it, or set `directory` to one that is writable',
        location: { property: 'directory' },
      });
    }
    const holder = this.lock.holder();
    if (holder !== undefined) {
      throw new FlowcastError('FC_PREFLIGHT', `recordings directory "${this.directory}" is being recorded into by another process (pid ${holder})`, {
        fix: 'give each recorder its own directory, or stop the other one',
        location: { property: 'directory' },
      });
    }
  }

  build(part: PartBuilder): void {
    const sink = part.element(BATCH_SINK, 'sink', { channel: this.sink.id });
    part.eater('default', sink);
  }

  start(): void {
    this.lock.take();
    for (const closed of closeInterrupted(this.directory)) {
      this.log.warn('closed a recording interrupted by a crash', { file: closed.file, size: closed.size, cutBytes: closed.sizeFound - closed.size });
    }
    for (const line of readCatalog(this.directory).skipped) this.log.warn(`${line.file}:${line.line}: skipped a line that cannot be read (cut short by a crash?)`);
    this.retain();
    const dropped = compactCatalog(this.directory);
    if (dropped > 0) this.log.info('catalog compacted', { linesDropped: dropped });
    this.takeTimer = setInterval(() => this.take(), TAKE_INTERVAL_MS);
    this.retentionTimer = setInterval(() => this.retain(), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.take();
    this.stopped = true;
    clearInterval(this.takeTimer);
    clearInterval(this.retentionTimer);
    this.sink.close();
    await this.recorder.close(this.clock.now());
    this.lock.release();
  }

  /** Record from the next sync point on (the admin API calls this). */
  startRecording(): void {
    this.recorder.startRecording();
  }

  /** Stop recording now: the file in progress is closed, and nothing is written until startRecording(). */
  async stopRecording(): Promise<void> {
    this.take();
    await this.recorder.stopRecording(this.clock.now());
  }

  /** recording, stopped, or sad (with the reason: a full disk, a directory gone). */
  recordingState(): { state: RecorderState; reason?: string; file?: string } {
    const reason = this.recorder.reason;
    const file = this.recorder.currentFile;
    return { state: this.recorder.state, ...(reason && this.recorder.state === 'sad' ? { reason } : {}), ...(file ? { file } : {}) };
  }

  stats(): Readonly<Record<string, number>> {
    this.take();
    const state = this.recorder.state;
    return { ...this.recorder.counters, recording: state === 'recording' ? 1 : 0, sad: state === 'sad' ? 1 : 0 };
  }

  /** Take what the sink queued and hand it to the recorder, with each buffer's wall-clock arrival. */
  private take(): void {
    if (this.stopped) return;
    const batch = this.sink.take();
    if (!batch) return;
    if (batch.caps) this.recorder.setFormat(batch.caps.name, batch.caps.streamheader);
    const now = this.clock.now();
    batch.buffers.forEach((buffer, i) => this.recorder.push(buffer, batch.flags[i]!, batch.pts[i]!, now - batch.ages[i]!));
    this.recorder.flush();
    if (this.recorder.currentFile !== this.lastFile) {
      this.lastFile = this.recorder.currentFile;
      if (this.lastFile) this.retain();
    }
  }

  private retain(): void {
    try {
      const deleted = applyRetention(
        this.directory,
        { maxAgeMs: this.props['max-age'] * 1000, maxTotalBytes: this.props['max-total-size'], minFreeBytes: this.props['min-free-space'] },
        this.clock.now(),
      );
      for (const d of deleted) this.log.info('recording deleted', { file: d.file, size: d.size, reason: d.reason });
    } catch (error) {
      this.log.warn(`retention: ${(error as Error).message}`);
    }
  }
}
