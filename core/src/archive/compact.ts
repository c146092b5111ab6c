import fs from 'node:fs';
import path from 'node:path';
import { CATALOG_FILE, isCatalogRecord, jsonLine, readCatalog, readJsonLines, type CatalogRecord } from './index-format';

/** Below this many lines a catalog is left as it is. */
const MIN_LINES = 1000;

/**
 * Rewrite the catalog without the records of deleted recordings, once they are most of it (a
 * station that keeps 30 days of hourly files deletes 24 a day, for ever). The new catalog is
 * written beside the old one and renamed over it, so a crash leaves one or the other whole. Only
 * while nothing else writes the catalog: the recorder does it at start-up. Returns the lines
 * dropped.
 */
export function compactCatalog(directory: string): number {
  const file = path.join(directory, CATALOG_FILE);
  const { records, skipped } = readJsonLines(file, isCatalogRecord);
  const lines = records.length + skipped.length;
  const { recordings } = readCatalog(directory);
  const kept: CatalogRecord[] = [];
  for (const r of recordings) {
    kept.push({ open: r.file, type: r.type, start: r.start });
    if (r.closed) kept.push({ close: r.file, end: r.end!, size: r.size!, reason: r.reason! });
  }
  if (lines < MIN_LINES || kept.length * 2 > lines) return 0;
  const temporary = `${file}.compact-${process.pid}.tmp`;
  fs.writeFileSync(temporary, kept.map(jsonLine).join(''));
  fs.renameSync(temporary, file);
  return lines - kept.length;
}
