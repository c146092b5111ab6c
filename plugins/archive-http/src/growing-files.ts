import { readFileIndex, scanOggFile } from '@flowcast/core';

/** How long one look at a recording in progress serves every listener following it. */
const FRESH_MS = 200;

/**
 * How far the recordings being written can be sent, shared by every listener following them: one
 * look per recording per FRESH_MS, however many listeners rewind, each reading on from where the
 * last look ended. For Ogg, the end of the whole pages; for WebM and Matroska, the last indexed
 * cluster start, so no cluster goes out cut.
 */
export class GrowingFiles {
  private readonly known = new Map<string, { end: number; at: number; lastPage?: number }>();

  constructor(
    private readonly directory: string,
    private readonly now: () => number,
  ) {}

  /** Where the sendable part of `name` (a file at `file`) ends, never before `from`. */
  end(file: string, name: string, type: string, from: number): number {
    const now = this.now();
    const cached = this.known.get(name);
    if (cached && now - cached.at < FRESH_MS && cached.end >= from) return cached.end;
    const start = Math.max(from, cached?.end ?? 0);
    let lastPage = cached?.lastPage;
    const end =
      type === 'application/ogg'
        ? scanOggFile(file, (page) => void (lastPage = page.offset), start)
        : Math.max(start, readFileIndex(this.directory, name).syncs.at(-1)?.o ?? start);
    this.known.set(name, { end, at: now, ...(lastPage !== undefined ? { lastPage } : {}) });
    return end;
  }

  /** Where the last whole Ogg page before `end` starts, when the last look ended there. */
  lastPageBefore(name: string, end: number): number | undefined {
    const known = this.known.get(name);
    return known && known.end === end ? known.lastPage : undefined;
  }

  /** Forget a recording once it is closed (its size is in the catalog from then on). */
  forget(name: string): void {
    this.known.delete(name);
  }
}
