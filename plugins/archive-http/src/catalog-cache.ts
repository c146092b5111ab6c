import fs from 'node:fs';
import path from 'node:path';
import { CATALOG_FILE, readCatalog, type Recording, type SkippedLine } from '@flowcast/core';

/**
 * The directory's catalog, read again only when the file changed (size or modification time): a
 * listing answers from memory, never by scanning the directory or the media.
 */
export class CatalogCache {
  private stamp = '';
  private recordings: Recording[] = [];
  /** Renderings of the list (JSON, HTML, feed) made since it last changed. */
  private readonly rendered = new Map<string, string>();
  private byName = new Map<string, Recording>();

  constructor(
    private readonly directory: string,
    /** Told of the lines that cannot be read, each time the catalog is read again. */
    private readonly onSkipped: (lines: SkippedLine[]) => void = () => {},
  ) {}

  list(): Recording[] {
    this.refresh();
    return this.recordings;
  }

  /**
   * A rendering of the list, made once per change of the catalog: a listing of 10,000 recordings
   * is 2 MB of JSON, not worth making again for every request.
   */
  render(kind: string, make: (recordings: Recording[]) => string): string {
    this.refresh();
    let text = this.rendered.get(kind);
    if (text === undefined) {
      text = make(this.recordings);
      this.rendered.set(kind, text);
    }
    return text;
  }

  get(name: string): Recording | undefined {
    this.refresh();
    return this.byName.get(name);
  }

  /**
   * A recording by name for serving its file, from what was read last, the catalog read again only
   * when the name is not there (a recording started since): the file's open, not this lookup, says
   * whether it still exists, and what is used of the record (its type) never changes.
   */
  find(name: string): Recording | undefined {
    return this.byName.get(name) ?? this.get(name);
  }

  private refresh(): void {
    let stamp: string;
    try {
      const stat = fs.statSync(path.join(this.directory, CATALOG_FILE));
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      stamp = 'none';
    }
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.rendered.clear();
    const read = stamp === 'none' ? { recordings: [], skipped: [] } : readCatalog(this.directory);
    this.recordings = read.recordings;
    if (read.skipped.length > 0) this.onSkipped(read.skipped);
    this.byName = new Map(this.recordings.map((r) => [r.file, r]));
  }
}
