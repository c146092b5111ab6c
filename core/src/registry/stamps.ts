import fs from 'node:fs';
import path from 'node:path';

/** What a package looked like when it was last scanned: a rescan happens when any of it changed. */
export interface PackageStamp {
  path: string;
  version: string;
  mtimeMs: number;
}

export type StampFile = Record<string, PackageStamp>;

/** Machine-local, so registry.json itself stays the same on every checkout. */
export function stampFilePath(projectRoot: string): string {
  return path.join(projectRoot, 'node_modules', '.cache', 'flowcast', 'registry-stamps.json');
}

export function readStamps(projectRoot: string, coreVersion: string): StampFile {
  try {
    const data = JSON.parse(fs.readFileSync(stampFilePath(projectRoot), 'utf8')) as { core?: string; packages?: StampFile };
    return data.core === coreVersion && data.packages ? data.packages : {};
  } catch {
    return {};
  }
}

export function writeStamps(projectRoot: string, coreVersion: string, stamps: StampFile): void {
  writeFileAtomic(stampFilePath(projectRoot), JSON.stringify({ core: coreVersion, packages: stamps }, null, 2) + '\n');
}

/** The newest mtime of package.json and of the files beside the manifest module. */
export function stampOf(relativePath: string, version: string, directory: string, manifestModule: string): PackageStamp {
  const files = [path.join(directory, 'package.json')];
  try {
    const moduleDirectory = path.dirname(manifestModule);
    for (const name of fs.readdirSync(moduleDirectory)) files.push(path.join(moduleDirectory, name));
  } catch {
    // Not built yet: the scan will say so.
  }
  const mtimeMs = Math.max(0, ...files.map((file) => safeMtime(file)));
  return { path: relativePath, version, mtimeMs };
}

export function sameStamp(a: PackageStamp | undefined, b: PackageStamp): boolean {
  return !!a && a.path === b.path && a.version === b.version && a.mtimeMs === b.mtimeMs;
}

function safeMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Write through a temporary file and rename, so a reader never sees half a file. */
export function writeFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}
