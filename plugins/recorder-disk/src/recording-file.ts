import fs from 'node:fs';
import path from 'node:path';
import { appendLinesSync, CATALOG_FILE, INDEX_SUFFIX, jsonLine, type CloseReason, type SyncPoint } from '@flowcast/core';

/**
 * One recording being written: the media file and its index (NAME.idx), both append-only. Data is
 * handed to the kernel with one write per batch as it comes (no buffering in the process beyond the
 * batch, so a kill -9 loses only what GStreamer had not yet given us), and forced to the disk every
 * `syncIntervalMs` (a power cut loses at most that). Writes run one at a time, in order, off the
 * event loop; an index line is written only after the data it points to.
 */
export class RecordingFile {
  readonly name: string;
  readonly start: number;
  /** Bytes handed to this file so far (written or queued). */
  size = 0;
  lastSync?: SyncPoint;
  private readonly fd: number;
  private readonly indexFd: number;
  private pending: Buffer[] = [];
  private pendingSyncs: SyncPoint[] = [];
  private chain: Promise<void> = Promise.resolve();
  private unsynced = false;
  private syncTimer: NodeJS.Timeout;
  private failed = false;
  private closed = false;

  /**
   * Create the file (never over an existing one: `name` gets -1, -2… when taken), note it in the
   * catalog first (so a crash from here on leaves a recording that start-up will close), and write
   * the stream headers. Throws when the directory refuses.
   */
  constructor(
    private readonly directory: string,
    base: string,
    extension: string,
    readonly type: string,
    headers: readonly Buffer[],
    start: number,
    syncIntervalMs: number,
    private readonly onError: (error: Error, file: string) => void,
  ) {
    this.start = start;
    let name = base + extension;
    for (let n = 1; fs.existsSync(path.join(directory, name)) || fs.existsSync(path.join(directory, name + INDEX_SUFFIX)); n++) name = `${base}-${n}${extension}`;
    this.name = name;
    appendLinesSync(path.join(directory, CATALOG_FILE), jsonLine({ open: name, type, start }));
    this.fd = fs.openSync(path.join(directory, name), 'wx');
    try {
      this.indexFd = fs.openSync(path.join(directory, name + INDEX_SUFFIX), 'wx');
      const headerBytes = headers.reduce((n, h) => n + h.length, 0);
      fs.writeSync(this.indexFd, jsonLine({ open: name, type, start, headers: headerBytes }));
      for (const header of headers) fs.writeSync(this.fd, header);
      this.size = headerBytes;
    } catch (error) {
      fs.closeSync(this.fd);
      throw error;
    }
    this.syncTimer = setInterval(() => this.forceToDisk(), syncIntervalMs);
    this.syncTimer.unref();
  }

  /** Queue a buffer; `sync` (its stream and wall-clock times) when a player can start at it. */
  append(buffer: Buffer, sync?: { t: number; w: number }): void {
    if (this.closed) return;
    if (sync) {
      const point = { o: this.size, t: Math.round(sync.t), w: Math.round(sync.w) };
      this.pendingSyncs.push(point);
      this.lastSync = point;
    }
    this.pending.push(buffer);
    this.size += buffer.length;
  }

  /** Hand what was queued to the kernel: the data in one write, then its index lines in another. */
  flush(): void {
    if (this.pending.length === 0 || this.failed) return;
    const data = this.pending;
    const lines = this.pendingSyncs.map(jsonLine).join('');
    this.pending = [];
    this.pendingSyncs = [];
    this.run(async () => {
      await writeAll(this.fd, data);
      if (lines) await writeAll(this.indexFd, [Buffer.from(lines)]);
      this.unsynced = true;
    });
  }

  /**
   * Finish the file: flush, force it to disk, and write its close to its index and the catalog.
   * Resolves once it is closed (also after a write error, which `onError` has reported).
   */
  async close(end: number, reason: CloseReason): Promise<void> {
    if (this.closed) return this.chain;
    this.flush();
    this.closed = true;
    clearInterval(this.syncTimer);
    this.run(async () => {
      await fdatasync(this.fd);
    });
    await this.chain;
    const closeReason: CloseReason = this.failed ? 'error' : reason;
    const size = this.failed ? fs.fstatSync(this.fd).size : this.size;
    fs.closeSync(this.fd);
    try {
      fs.writeSync(this.indexFd, jsonLine({ close: end, size, reason: closeReason }));
      fs.closeSync(this.indexFd);
      appendLinesSync(path.join(this.directory, CATALOG_FILE), jsonLine({ close: this.name, end, size, reason: closeReason }));
    } catch (error) {
      // The disk is full or gone: the recording stays open in the catalog and start-up closes it.
      this.onError(error as Error, this.name);
    }
  }

  private forceToDisk(): void {
    if (!this.unsynced || this.failed) return;
    this.unsynced = false;
    this.run(async () => {
      await fdatasync(this.fd);
      await fdatasync(this.indexFd);
    });
  }

  private run(step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await step();
      } catch (error) {
        this.failed = true;
        this.onError(error as Error, this.name);
      }
    });
  }
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Write every byte of `buffers` (writev may take part of them). */
async function writeAll(fd: number, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const written = await new Promise<number>((resolve, reject) => fs.writev(fd, rest, (error, n) => (error ? reject(error) : resolve(n))));
    let skip = written;
    const next: Buffer[] = [];
    for (const buffer of rest) {
      if (skip >= buffer.length) skip -= buffer.length;
      else {
        next.push(skip > 0 ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
    }
    rest = next;
  }
}
