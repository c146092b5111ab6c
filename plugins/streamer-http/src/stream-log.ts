/** One buffer of the live stream, as every listener shares it. */
export interface LogEntry {
  readonly seq: number;
  readonly data: Buffer;
  /** A listener may start here and decode at once (an Ogg page boundary, a keyframe). */
  readonly sync: boolean;
  /** When the buffer arrived (monotonic ms). */
  readonly time: number;
  /** Stream bytes before this buffer. */
  readonly offset: number;
}

/**
 * The recent past of a live stream, shared by all listeners: a listener is only a position in
 * it. A new listener's burst starts at the newest sync point that is at least `keepMs` old with
 * at least `minBytes` after it; a listener may then fall `lagMs` behind where it started before
 * it is dropped. So entries go only once they are older than `lagMs` before that burst start,
 * and only up to a sync point; never more than `maxBytes` are kept.
 */
export class StreamLog {
  private readonly entries: LogEntry[] = [];
  private first = 0;
  private bytes = 0;
  private nextSeq = 0;
  private nextOffset = 0;

  constructor(
    private readonly keepMs: number,
    private readonly minBytes: number,
    private readonly maxBytes: number,
    private readonly lagMs = 0,
  ) {}

  /** The sequence number the next buffer will get: a caught-up listener's position. */
  get head(): number {
    return this.nextSeq;
  }

  get oldest(): number {
    return this.nextSeq - (this.entries.length - this.first);
  }

  /** Stream bytes so far. */
  get totalBytes(): number {
    return this.nextOffset;
  }

  append(data: Buffer, sync: boolean, now: number): LogEntry {
    const entry: LogEntry = { seq: this.nextSeq++, data, sync, time: now, offset: this.nextOffset };
    this.nextOffset += data.length;
    this.entries.push(entry);
    this.bytes += data.length;
    this.trim(now);
    return entry;
  }

  at(seq: number): LogEntry | undefined {
    return seq >= this.oldest && seq < this.nextSeq ? this.entries[this.first + seq - this.oldest] : undefined;
  }

  /** The newest sync point, or the head when there is none. */
  latestSync(): number {
    for (let i = this.entries.length - 1; i >= this.first; i--) if (this.entries[i]!.sync) return this.entries[i]!.seq;
    return this.nextSeq;
  }

  /**
   * Where a burst of at least `bytes` (or `ms` of stream) starts: the newest sync point that gives
   * that much, else the oldest sync point held, else the head.
   */
  burstStart(limit: { bytes?: number; ms?: number }, now: number): number {
    const newest = this.newestSyncGiving(limit.bytes ?? 0, limit.ms ?? 0, now);
    if (newest >= 0) return this.entries[newest]!.seq;
    for (let i = this.first; i < this.entries.length; i++) if (this.entries[i]!.sync) return this.entries[i]!.seq;
    return this.nextSeq;
  }

  /** The index of the newest sync entry with at least `bytes` and `ms` of stream from it, or -1. */
  private newestSyncGiving(bytes: number, ms: number, now: number): number {
    for (let i = this.entries.length - 1; i >= this.first; i--) {
      const entry = this.entries[i]!;
      if (entry.sync && this.nextOffset - entry.offset >= bytes && now - entry.time >= ms) return i;
    }
    return -1;
  }

  /** How much stream time the log holds: the age of its oldest entry (ms). */
  heldMs(now: number): number {
    const oldest = this.entries[this.first];
    return oldest ? now - oldest.time : 0;
  }

  /** Stream bitrate over the last `windowMs` (or since the first buffer, when that is shorter). */
  bitsPerSecond(now: number, windowMs: number): number {
    const count = this.entries.length - this.first;
    if (count === 0) return 0;
    let bytes = 0;
    let i = this.entries.length - 1;
    for (; i >= this.first && now - this.entries[i]!.time <= windowMs; i--) bytes += this.entries[i]!.data.length;
    const since = i >= this.first ? windowMs : now - this.entries[this.first]!.time;
    return since > 0 ? (bytes * 8000) / since : 0;
  }

  /** The entry holding stream byte `offset`, or undefined when it is no longer (or not yet) held. */
  entryAtOffset(offset: number): LogEntry | undefined {
    let low = this.first;
    let high = this.entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = this.entries[middle]!;
      if (offset < entry.offset) high = middle - 1;
      else if (offset >= entry.offset + entry.data.length) low = middle + 1;
      else return entry;
    }
    return undefined;
  }

  private trim(now: number): void {
    while (this.entries.length - this.first > 1 && this.bytes > this.maxBytes) this.bytes -= this.entries[this.first++]!.data.length;
    const cut = this.newestDisposable(now);
    for (; this.first < cut; this.first++) this.bytes -= this.entries[this.first]!.data.length;
    // Compact now and then instead of shifting the array on every buffer.
    if (this.first > 1024 && this.first * 2 > this.entries.length) {
      this.entries.splice(0, this.first);
      this.first = 0;
    }
  }

  /**
   * The index of the oldest entry to keep: the newest sync point at least `lagMs` older than the
   * burst start (entries between it and the burst are kept, since a listener starts on a sync
   * point). `first` when the log does not reach back that far yet.
   */
  private newestDisposable(now: number): number {
    const burst = this.newestSyncGiving(this.minBytes, this.keepMs, now);
    if (burst < 0) return this.first;
    const keepFrom = this.entries[burst]!.time - this.lagMs;
    let cut = this.first;
    for (let i = this.first; i <= burst; i++) {
      const entry = this.entries[i]!;
      if (entry.time > keepFrom) break;
      if (entry.sync) cut = i;
    }
    return cut;
  }
}
