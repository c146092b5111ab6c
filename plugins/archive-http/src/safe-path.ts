import fs from 'node:fs';
import path from 'node:path';
import { isRecordingName } from '@flowcast/core';

type Refusal = { status: 400 | 404; reason: string };
export type Resolved = { file: string; name: string } | Refusal;
export type Opened<T> = { fd: number; found: T } | Refusal | { symlink: true };

const NO_SUCH_RECORDING: Refusal = { status: 404, reason: 'no such recording' };

/**
 * The recording a request names below the mount, or why there is none. Only a single name in the
 * directory is accepted (percent-decoded once: no "/", "\", NUL, "." or ".." and no hidden file),
 * and it must be a recording the catalog lists. Every refusal is a plain 404 or 400 that says
 * nothing of the file system.
 */
function recordingName<T>(rawName: string, lookup: (name: string) => T | undefined): { name: string; found: T } | Refusal {
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    return { status: 400, reason: 'the path is not valid percent-encoding' };
  }
  const found = isRecordingName(name) ? lookup(name) : undefined;
  if (found === undefined) return NO_SUCH_RECORDING;
  return { name, found };
}

/** The file of a recording (see recordingName); its real path (symlinks followed) must still be inside the directory. */
export function resolveRecording(directoryReal: string, rawName: string, lookup: (name: string) => unknown): Resolved {
  const named = recordingName(rawName, lookup);
  if ('status' in named) return named;
  let real: string;
  try {
    // The C library's realpath: one call, where the JavaScript one makes a call per path component.
    real = fs.realpathSync.native(path.join(directoryReal, named.name));
  } catch {
    return NO_SUCH_RECORDING;
  }
  if (path.dirname(real) !== directoryReal) return NO_SUCH_RECORDING;
  return { file: real, name: named.name };
}

/**
 * The recording opened for reading in one call, with what `lookup` (the catalog) knows of it, for
 * the raw GET path: a single name in a directory given by its real path cannot leave it unless the
 * name is a symlink, which O_NOFOLLOW refuses. A symlink is reported (`symlink`) so that the caller
 * takes the slower path that follows it and checks where it leads (resolveRecording).
 */
export function openRecording<T>(directoryReal: string, rawName: string, lookup: (name: string) => T | undefined): Opened<T> {
  const named = recordingName(rawName, lookup);
  if ('status' in named) return named;
  try {
    // The name is one component (recordingName): joined without path.join's normalising.
    return { fd: fs.openSync(`${directoryReal}/${named.name}`, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW), found: named.found };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? { symlink: true } : NO_SUCH_RECORDING;
  }
}
