import { StreamHeaders, syncDetectorFor, type CloseReason, type Logger, type SyncDetector } from '@flowcast/core';
import { RecordingFile } from './recording-file';
import { strftime, type NameZone } from './strftime';

export interface RecorderOptions {
  directory: string;
  template: string;
  zone: NameZone;
  /** Rotate on the clock every this many ms (0: never). */
  rotateEveryMs: number;
  /** Rotate when this says (the next time after a given one), instead of every rotateEveryMs. */
  schedule?: (after: number) => number;
  /** Rotate once a file is this big (0: never). */
  rotateSize: number;
  syncIntervalMs: number;
  /**
   * At a rotation, the file that ends goes on this long (ms) past the start of the next one (to
   * its first sync point after that): consecutive files overlap by this much. 0: no overlap.
   */
  overlapMs?: number;
  /** After a write error, how long before trying to record again. */
  retryAfterMs: number;
}

export type RecorderState = 'recording' | 'stopped' | 'sad';

const EXTENSIONS: Record<string, string> = {
  'application/ogg': '.ogg',
  'video/webm': '.webm',
  'audio/webm': '.webm',
  'video/x-matroska': '.mkv',
  'audio/x-matroska': '.mka',
};

/**
 * The recorder's decisions, buffer by buffer: stream headers are kept aside (each file starts with
 * them); a file opens and rotates only at a sync point, so every file starts where a player can
 * start and consecutive files share no byte and miss none; a write error makes the recorder sad
 * (it says why, keeps the live stream going, and tries again later).
 */
export class Recorder {
  private readonly headers = new StreamHeaders();
  private isSync: SyncDetector = () => false;
  private contentType?: string;
  private file?: RecordingFile;
  /** The file before the current one, still written until the overlap ends (time-overlap). */
  private ending?: { file: RecordingFile; until: number };
  private endingReason: CloseReason = 'rotate';
  /** Wall-clock time at which the current file rotates (ms). */
  private rotateAt = Infinity;
  private wanted: boolean;
  private sadReason?: string;
  private retryAt = 0;
  /** The wall-clock time of the newest buffer. */
  private lastWall = 0;
  private readonly closing = new Set<Promise<void>>();
  readonly counters = { files: 0, bytes: 0, syncPoints: 0, errors: 0 };

  constructor(
    private readonly options: RecorderOptions,
    private readonly log: Logger,
    startRecording: boolean,
  ) {
    this.wanted = startRecording;
  }

  get state(): RecorderState {
    if (!this.wanted) return 'stopped';
    return this.sadReason ? 'sad' : 'recording';
  }

  /** Why recording is sad, when it is. */
  get reason(): string | undefined {
    return this.sadReason;
  }

  get currentFile(): string | undefined {
    return this.file?.name;
  }

  /** The stream's format from the caps. New headers (the stream changed) start a new file at the next sync point. */
  setFormat(contentType: string, headers: Buffer[]): void {
    const changed = contentType !== this.contentType || headers.length !== this.headers.current.length || headers.some((h, i) => !h.equals(this.headers.current[i]!));
    if (this.file && changed) this.closeFile(this.lastWall, 'rotate');
    this.contentType = contentType;
    this.headers.setCaps(headers);
    this.isSync = syncDetectorFor(contentType, headers);
  }

  /** A buffer from the pipeline: its GStreamer flags, stream time (ms, -1 when none) and wall-clock arrival (ms). */
  push(buffer: Buffer, flags: number, pts: number, wall: number): void {
    if (this.headers.take(buffer, flags)) return;
    const sync = this.isSync(buffer, flags);
    this.lastWall = wall;
    if (this.ending && sync && wall >= this.ending.until) this.closeEnding(wall);
    if (this.file && sync && this.dueForRotation(wall)) {
      const reason = wall >= this.rotateAt ? 'rotate' : 'size';
      if (this.options.overlapMs) this.keepUntil(wall + this.options.overlapMs, reason);
      else this.closeFile(wall, reason);
    }
    this.ending?.file.append(buffer, sync ? { t: pts >= 0 ? pts : 0, w: wall } : undefined);
    if (!this.file) {
      if (!sync || !this.wanted || !this.contentType) return;
      if (this.sadReason && wall < this.retryAt) return;
      this.open(wall);
      if (!this.file) return;
    }
    this.file.append(buffer, sync ? { t: pts >= 0 ? pts : 0, w: wall } : undefined);
    this.counters.bytes += buffer.length;
    if (sync) this.counters.syncPoints++;
  }

  /** Hand what this batch queued to the kernel. */
  flush(): void {
    this.ending?.file.flush();
    this.file?.flush();
  }

  /** Record again (from the next sync point). */
  startRecording(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.sadReason = undefined;
    this.log.info('recording started');
  }

  /** Stop recording: the file in progress is closed now. */
  async stopRecording(now: number): Promise<void> {
    if (!this.wanted) return;
    this.wanted = false;
    this.closeFile(now, 'stop');
    this.log.info('recording stopped');
    await this.settled();
  }

  /** Close the file in progress (the flow stops). */
  async close(now: number): Promise<void> {
    this.closeFile(now, 'stop');
    await this.settled();
  }

  async settled(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  private dueForRotation(wall: number): boolean {
    if (wall >= this.rotateAt) return true;
    return this.options.rotateSize > 0 && this.file!.size >= this.options.rotateSize;
  }

  private open(wall: number): void {
    const extension = EXTENSIONS[this.contentType!] ?? '.bin';
    const base = strftime(this.options.template, wall, this.options.zone);
    try {
      this.file = new RecordingFile(this.options.directory, base, extension, this.contentType!, this.headers.current, Math.round(wall), this.options.syncIntervalMs, (error, name) => this.writeFailed(error, name));
    } catch (error) {
      this.goSad(`cannot create a recording in ${this.options.directory}: ${(error as Error).message}`);
      return;
    }
    if (this.sadReason) this.log.info('recording resumed', { file: this.file.name });
    this.sadReason = undefined;
    this.counters.files++;
    this.rotateAt = this.nextBoundary(wall);
    this.log.info('recording to', { file: this.file.name });
  }

  /** The first multiple of the rotation period after `wall`, on the clock of the file names. */
  private nextBoundary(wall: number): number {
    if (this.options.schedule) return this.options.schedule(wall);
    const period = this.options.rotateEveryMs;
    if (!period) return Infinity;
    const offset = this.options.zone === 'local' ? -new Date(wall).getTimezoneOffset() * 60_000 : 0;
    return Math.floor((wall + offset) / period) * period + period - offset;
  }

  /** The current file goes on until `until` (then its first sync point), beside the next one. */
  private keepUntil(until: number, reason: CloseReason): void {
    this.closeEnding(this.lastWall);
    this.ending = { file: this.file!, until };
    this.endingReason = reason;
    this.file = undefined;
    this.rotateAt = Infinity;
  }

  private closeEnding(wall: number): void {
    const ending = this.ending;
    if (!ending) return;
    this.ending = undefined;
    const closing = ending.file.close(Math.round(wall), this.endingReason).finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  private closeFile(wall: number, reason: CloseReason): void {
    this.closeEnding(wall);
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    this.rotateAt = Infinity;
    const closing = file.close(Math.round(wall), reason).finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  private writeFailed(error: Error, name: string): void {
    this.counters.errors++;
    if (this.file?.name === name) this.closeFile(this.lastWall, 'error');
    if (this.ending?.file.name === name) this.closeEnding(this.lastWall);
    this.goSad(`writing ${name} in ${this.options.directory} failed: ${error.message}`);
  }

  private goSad(reason: string): void {
    if (this.sadReason !== reason) this.log.error(`recording is sad: ${reason}; the live stream goes on, recording is tried again in ${this.options.retryAfterMs / 1000} s`);
    this.sadReason = reason;
    this.retryAt = this.lastWall + this.options.retryAfterMs;
  }
}
