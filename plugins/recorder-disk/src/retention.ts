import fs from 'node:fs';
import path from 'node:path';
import { appendLinesSync, CATALOG_FILE, INDEX_SUFFIX, jsonLine, readCatalog, type DeleteReason } from '@flowcast/core';

export interface RetentionPolicy {
  /** Delete recordings that ended more than this long ago (ms); 0: keep. */
  maxAgeMs: number;
  /** Delete the oldest while all together are bigger (bytes); 0: no limit. */
  maxTotalBytes: number;
  /** Delete the oldest while the disk has less free (bytes); 0: no limit. */
  minFreeBytes: number;
}

export interface Deletion {
  file: string;
  size: number;
  reason: DeleteReason;
}

/**
 * Apply the policy to a recordings directory: by age, then by total size, then by free space,
 * whichever asks for more, oldest first. Only closed recordings are candidates, so the one being
 * written (and one a crash left open) is never touched. Each deletion is noted in the catalog
 * before its files go, so a crash in between leaves a file the catalog no longer lists, never a
 * listed recording without its file.
 */
export function applyRetention(directory: string, policy: RetentionPolicy, now: number, freeBytes: () => number = () => freeSpace(directory)): Deletion[] {
  if (!policy.maxAgeMs && !policy.maxTotalBytes && !policy.minFreeBytes) return [];
  const closed = readCatalog(directory).recordings.filter((r) => r.closed);
  const deletions: Deletion[] = [];
  let total = closed.reduce((n, r) => n + (r.size ?? 0), 0);
  let free = policy.minFreeBytes ? freeBytes() : Infinity;
  for (const recording of closed) {
    const size = recording.size ?? 0;
    const reason: DeleteReason | undefined =
      policy.maxAgeMs && (recording.end ?? recording.start) < now - policy.maxAgeMs
        ? 'age'
        : policy.maxTotalBytes && total > policy.maxTotalBytes
          ? 'size'
          : policy.minFreeBytes && free < policy.minFreeBytes
            ? 'free-space'
            : undefined;
    if (!reason) break;
    appendLinesSync(path.join(directory, CATALOG_FILE), jsonLine({ delete: recording.file, at: now, reason }));
    fs.rmSync(path.join(directory, recording.file), { force: true });
    fs.rmSync(path.join(directory, recording.file + INDEX_SUFFIX), { force: true });
    total -= size;
    free += size;
    deletions.push({ file: recording.file, size, reason });
  }
  return deletions;
}

/** Bytes an unprivileged writer may still use on the directory's file system. */
export function freeSpace(directory: string): number {
  const stats = fs.statfsSync(directory);
  return stats.bavail * stats.bsize;
}
