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

  get(name: string): Recording | undefined {
    this.refresh();
    return this.byName.get(name);
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
    const read = stamp === 'none' ? { recordings: [], skipped: [] } : readCatalog(this.directory);
    this.recordings = read.recordings;
    if (read.skipped.length > 0) this.onSkipped(read.skipped);
    this.byName = new Map(this.recordings.map((r) => [r.file, r]));
  }
}
