import fs from 'node:fs';
import path from 'node:path';
import { appendLinesSync, CATALOG_FILE, INDEX_SUFFIX, jsonLine, readCatalog, readFileIndex, type Recording } from './index-format';
import { scanMatroskaFile } from './matroska';
import { scanOggFile } from './ogg';

const MATROSKA_TYPES = new Set(['video/webm', 'audio/webm', 'video/x-matroska', 'audio/x-matroska']);

export interface ClosedRecording {
  file: string;
  /** Its size as found, and after truncation to the last whole Ogg page. */
  sizeFound: number;
  size: number;
  /** Wall-clock end given to it: its last sync point's, or its start when it has none. */
  end: number;
}

/**
 * Where a recording stops being valid: for Ogg, just past its last whole page (a crash can leave
 * half a page); for Matroska and WebM, just past its last whole element (a cluster of known size
 * cut short goes whole; in a live recording's clusters of unknown size, the last whole block);
 * for other formats, its size as it is.
 */
export function validLength(file: string, type: string): number {
  if (type === 'application/ogg') return scanOggFile(file, () => true);
  if (MATROSKA_TYPES.has(type)) return scanMatroskaFile(file)?.valid ?? 0;
  return fs.statSync(file).size;
}

/**
 * Close the recordings a crash or power cut left open (the catalog opened them but never closed
 * them): cut each to its last whole page, then write its close to its index and the catalog with
 * reason "interrupted". A recording whose file is gone is closed with size 0. Run at start-up,
 * before recording again into the directory.
 */
export function closeInterrupted(directory: string): ClosedRecording[] {
  const closed: ClosedRecording[] = [];
  for (const recording of readCatalog(directory).recordings.filter((r) => !r.closed)) closed.push(closeOne(directory, recording));
  return closed;
}

function closeOne(directory: string, recording: Recording): ClosedRecording {
  const file = path.join(directory, recording.file);
  const exists = fs.existsSync(file);
  const sizeFound = exists ? fs.statSync(file).size : 0;
  const size = exists ? validLength(file, recording.type) : 0;
  if (exists && size < sizeFound) fs.truncateSync(file, size);
  const index = readFileIndex(directory, recording.file);
  const lastSync = index.syncs.filter((s) => s.o < size).at(-1);
  const end = lastSync?.w ?? recording.start;
  if (exists) appendLinesSync(file + INDEX_SUFFIX, jsonLine({ close: end, size, reason: 'interrupted' }));
  appendLinesSync(path.join(directory, CATALOG_FILE), jsonLine({ close: recording.file, end, size, reason: 'interrupted' }));
  return { file: recording.file, sizeFound, size, end };
}
