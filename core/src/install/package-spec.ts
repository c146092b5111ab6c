import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What `plugin add SPEC` hands to npm, and the package name when it can be known beforehand. */
export interface InstallTarget {
  npmArgs: string[];
  name?: string;
  /** The package.json of a local directory or tarball, read before anything is installed. */
  packageJson?: Record<string, unknown>;
}

/**
 * A directory is installed as a copy (`--install-links`): a symlink would let the plugin resolve
 * its own development copy of @flowcast/core from its node_modules. A tarball or directory is read
 * for its name; an npm spec is `name` or `name@range`.
 */
export function installTarget(spec: string, cwd: string): InstallTarget {
  const local = path.resolve(cwd, spec);
  if (fs.existsSync(local) && fs.statSync(local).isDirectory()) {
    return withPackageJson(['install', '--save', '--install-links', local], readPackageJson(path.join(local, 'package.json')));
  }
  if (fs.existsSync(local)) return withPackageJson(['install', '--save', local], readTarballPackageJson(local));
  const match = /^(@[^/@]+\/[^/@]+|[^/@][^/@]*)(@.*)?$/.exec(spec);
  return { npmArgs: ['install', '--save', spec], ...(match ? { name: match[1] } : {}) };
}

function withPackageJson(npmArgs: string[], json: Record<string, unknown> | undefined): InstallTarget {
  return { npmArgs, ...(typeof json?.name === 'string' ? { name: json.name } : {}), ...(json ? { packageJson: json } : {}) };
}

function readPackageJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** npm tarballs hold the package under `package/`. */
function readTarballPackageJson(file: string): Record<string, unknown> | undefined {
  const result = spawnSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
