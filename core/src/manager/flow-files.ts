import fs from 'node:fs';
import path from 'node:path';

/** Whether a file name is a flow file's. */
export function isFlowFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/**
 * The flow files named on the command line: files as given, directories' *.yaml and *.yml
 * files (not their subdirectories), sorted so that which of two conflicting flows wins is stable.
 * A path that does not exist is returned as is, so that it is reported as unreadable.
 */
export function listFlowFiles(paths: readonly string[]): string[] {
  const files = new Set<string>();
  for (const p of paths) {
    let isDirectory = false;
    try {
      isDirectory = fs.statSync(p).isDirectory();
    } catch {
      // reported when read
    }
    if (!isDirectory) {
      files.add(path.resolve(p));
      continue;
    }
    for (const name of fs.readdirSync(p).sort()) if (isFlowFileName(name)) files.add(path.resolve(p, name));
  }
  return [...files];
}
