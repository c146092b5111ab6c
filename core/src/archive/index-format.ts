/**
 * The archive's on-disk index: what recorder-disk writes beside its recordings, and what
 * archive-http and `flowcast archive` read. Two kinds of append-only JSON-lines files, each line one
 * record, written whole with one write (a crash can only leave the last line cut short, and a
 * reader skips such a line and reports it):
 *
 * `catalog.jsonl`, one per directory: a recording's life.
 *   {"open":"2026-12-01_10-00-00.ogg","type":"application/ogg","start":1764583200000}
 *   {"close":"2026-12-01_10-00-00.ogg","end":1764586800000,"size":57600000,"reason":"rotate"}
 *   {"delete":"2026-12-01_10-00-00.ogg","at":1765188000000,"reason":"age"}
 *
 * `NAME.idx`, one per recording NAME: where a player can start, and when.
 *   {"open":"2026-12-01_10-00-00.ogg","type":"application/ogg","start":1764583200000,"headers":3386}
 *   {"o":3386,"t":0,"w":1764583200012}     a sync point: byte offset, stream time (ms), wall-clock time (ms)
 *   {"close":1764586800000,"size":57600000,"reason":"rotate"}
 *
 * Times are milliseconds: wall-clock since the epoch (UTC), stream time as the pipeline's
 * timestamps. `reason` of a close is rotate, size, stop, error or interrupted (closed at start-up
 * after a crash); of a delete, age, size or free-space.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CATALOG_FILE = 'catalog.jsonl';
export const INDEX_SUFFIX = '.idx';

export type CloseReason = 'rotate' | 'size' | 'stop' | 'error' | 'interrupted' | 'reindexed';
export type DeleteReason = 'age' | 'size' | 'free-space';

export type CatalogRecord =
  | { open: string; type: string; start: number }
  | { close: string; end: number; size: number; reason: CloseReason }
  | { delete: string; at: number; reason: DeleteReason };

export interface SyncPoint {
  /** Byte offset of the sync point in the recording. */
  o: number;
  /** Stream time, ms. */
  t: number;
  /** Wall-clock time, ms since the epoch. */
  w: number;
}

export type IndexRecord =
  | { open: string; type: string; start: number; headers: number }
  | SyncPoint
  | { close: number; size: number; reason: CloseReason };

/** A line that could not be read: cut short by a crash, or damaged. */
export interface SkippedLine {
  file: string;
  line: number;
  text: string;
}

/** A recording as the catalog tells it. */
export interface Recording {
  file: string;
  type: string;
  /** Wall-clock start, ms. */
  start: number;
  /** Wall-clock end, ms; absent while it is being written (or was interrupted and not yet closed). */
  end?: number;
  size?: number;
  closed: boolean;
  reason?: CloseReason;
}

export interface JsonLines<T> {
  records: T[];
  skipped: SkippedLine[];
}

/** Every line of a JSON-lines file that parses to an object accepted by `valid`; the others are skipped. */
export function readJsonLines<T>(file: string, valid: (value: unknown) => value is T): JsonLines<T> {
  const records: T[] = [];
  const skipped: SkippedLine[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records, skipped };
    throw error;
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (valid(value)) records.push(value);
      else skipped.push({ file, line: i + 1, text: line });
    } catch {
      skipped.push({ file, line: i + 1, text: line });
    }
  });
  return { records, skipped };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** A recording's file name as the archive accepts it: one name in the directory, no path. */
export function isRecordingName(name: unknown): name is string {
  return isString(name) && name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..' && !name.startsWith('.');
}

export function isCatalogRecord(v: unknown): v is CatalogRecord {
  if (!isObject(v)) return false;
  if ('open' in v) return isRecordingName(v.open) && isString(v.type) && isNumber(v.start);
  if ('close' in v) return isRecordingName(v.close) && isNumber(v.end) && isNumber(v.size) && isString(v.reason);
  if ('delete' in v) return isRecordingName(v.delete) && isNumber(v.at) && isString(v.reason);
  return false;
}

export function isIndexRecord(v: unknown): v is IndexRecord {
  if (!isObject(v)) return false;
  if ('open' in v) return isRecordingName(v.open) && isString(v.type) && isNumber(v.start) && isNumber(v.headers);
  if ('close' in v) return isNumber(v.close) && isNumber(v.size) && isString(v.reason);
  return isNumber(v.o) && isNumber(v.t) && isNumber(v.w);
}

export function isSyncPoint(record: IndexRecord): record is SyncPoint {
  return 'o' in record;
}

/** The recordings of a directory, oldest first, as its catalog tells them (deleted ones left out). */
export function readCatalog(directory: string): { recordings: Recording[]; skipped: SkippedLine[] } {
  const { records, skipped } = readJsonLines(path.join(directory, CATALOG_FILE), isCatalogRecord);
  const byName = new Map<string, Recording>();
  for (const record of records) {
    if ('open' in record) byName.set(record.open, { file: record.open, type: record.type, start: record.start, closed: false });
    else if ('close' in record) {
      const recording = byName.get(record.close);
      if (recording) Object.assign(recording, { end: record.end, size: record.size, closed: true, reason: record.reason });
    } else byName.delete(record.delete);
  }
  return { recordings: [...byName.values()].sort((a, b) => a.start - b.start), skipped };
}

export interface FileIndex {
  open?: Extract<IndexRecord, { open: string }>;
  syncs: SyncPoint[];
  close?: Extract<IndexRecord, { close: number }>;
  skipped: SkippedLine[];
}

/** A recording's own index (NAME.idx). */
export function readFileIndex(directory: string, file: string): FileIndex {
  const { records, skipped } = readJsonLines(path.join(directory, file + INDEX_SUFFIX), isIndexRecord);
  const index: FileIndex = { syncs: [], skipped };
  for (const record of records) {
    if ('open' in record) index.open = record;
    else if ('close' in record) index.close = record;
    else index.syncs.push(record);
  }
  return index;
}

/** One record as its line. */
export function jsonLine(record: CatalogRecord | IndexRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * Append lines to a JSON-lines file and force them to the disk (these are rare: a recording
 * opened, closed or deleted; a power cut must not lose them). When the file does not end with a
 * newline (a crash cut its last line short), a newline goes first, so the cut line stays one
 * skipped line and the new one is whole.
 */
export function appendLinesSync(file: string, text: string): void {
  const fd = fs.openSync(file, 'a+');
  try {
    const size = fs.fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    fs.writeSync(fd, prefix + text);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
