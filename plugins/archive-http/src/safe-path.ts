import fs from 'node:fs';
import path from 'node:path';
import { isRecordingName } from '@flowcast/core';

export type Resolved = { file: string; name: string } | { status: 400 | 404; reason: string };

/**
 * The file a request names below the mount, or why there is none. Only a single name in the
 * directory is accepted (percent-decoded once: no "/", "\", NUL, "." or ".." and no hidden file),
 * it must be a recording the catalog lists, and its real path (symlinks followed) must still be
 * inside the directory. Every refusal is a plain 404 or 400 that says nothing of the file system.
 */
export function resolveRecording(directoryReal: string, rawName: string, known: (name: string) => boolean): Resolved {
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    return { status: 400, reason: 'the path is not valid percent-encoding' };
  }
  if (!isRecordingName(name) || !known(name)) return { status: 404, reason: 'no such recording' };
  const candidate = path.join(directoryReal, name);
  let real: string;
  try {
    // The C library's realpath: one call, where the JavaScript one makes a call per path component.
    real = fs.realpathSync.native(candidate);
  } catch {
    return { status: 404, reason: 'no such recording' };
  }
  if (path.dirname(real) !== directoryReal) return { status: 404, reason: 'no such recording' };
  return { file: real, name };
}
