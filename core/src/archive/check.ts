import fs from 'node:fs';
import path from 'node:path';
import { readCatalog, readFileIndex, type Recording, type SkippedLine } from './index-format';
import { validLength } from './repair';

export interface RecordingCheck {
  recording: Recording;
  /** What is wrong with it; empty when it is closed, whole and indexed. */
  problems: string[];
  syncPoints: number;
}

export interface ArchiveCheck {
  recordings: RecordingCheck[];
  skipped: SkippedLine[];
  /** Media files in the directory that the catalog does not know. */
  unknownFiles: string[];
}

const MEDIA_EXTENSIONS = new Set(['.ogg', '.oga', '.opus', '.webm', '.mkv', '.mka']);

/**
 * Read a recordings directory without changing it: every recording's state (closed or still
 * open), whether its file is there, whole (for Ogg: made of whole, valid pages to its end) and of
 * the size the catalog says, whether its index has sync points; the index lines skipped.
 */
export function checkArchive(directory: string): ArchiveCheck {
  const catalog = readCatalog(directory);
  const skipped = [...catalog.skipped];
  const known = new Set(catalog.recordings.map((r) => r.file));
  const recordings = catalog.recordings.map((recording): RecordingCheck => {
    const problems: string[] = [];
    const file = path.join(directory, recording.file);
    const index = readFileIndex(directory, recording.file);
    skipped.push(...index.skipped);
    if (!recording.closed) problems.push('not closed (being written, or interrupted: the recorder closes it when it starts)');
    if (!fs.existsSync(file)) problems.push('file missing');
    else {
      const size = fs.statSync(file).size;
      const valid = validLength(file, recording.type);
      if (valid < size) problems.push(`only the first ${valid} of ${size} bytes are whole pages`);
      if (recording.closed && recording.size !== size) problems.push(`size ${size}, the catalog says ${recording.size}`);
    }
    if (index.syncs.length === 0) problems.push('no sync points in its index');
    if (recording.closed && !index.close) problems.push('its index has no close record');
    return { recording, problems, syncPoints: index.syncs.length };
  });
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(directory);
  } catch {
    entries = [];
  }
  const unknownFiles = entries.filter((name) => MEDIA_EXTENSIONS.has(path.extname(name)) && !known.has(name));
  return { recordings, skipped, unknownFiles };
}
