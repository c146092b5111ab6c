import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { FlowcastError } from '../errors/flowcast-error';
import { CORE_VERSION } from '../version';
import { checkDirectory, resolveNames, type NameOptions, type PluginNames } from './names';
import { gitignore, manifestModule, packageJson, readme, tsconfigJson, type PackageFileOptions } from './package-files';
import { TEMPLATES } from './templates';
import { packCore } from './vendor-core';

export interface ScaffoldOptions extends NameOptions {
  /** The devDependency on @flowcast/core; default: a tarball of the running core in vendor/. */
  core?: string;
}

export interface ScaffoldResult {
  names: PluginNames;
  /** Every file written, relative to the package directory, in the order written. */
  files: string[];
  /** What package.json says to install as @flowcast/core. */
  coreDependency: string;
  peerRange: string;
}

/** The peer range of a plugin made for this core: `^0.MINOR.0` while core is 0.x, `^MAJOR.0.0` from 1.0. */
export function peerRangeFor(coreVersion: string): string {
  const version = semver.parse(coreVersion);
  if (!version) throw new FlowcastError('FC_SCAFFOLD', `the running core's version "${coreVersion}" is not a semantic version`);
  return version.major === 0 ? `^0.${version.minor}.0` : `^${version.major}.0.0`;
}

/** The new package's files, by relative path: pure, so it can be checked without writing. */
export function planFiles(names: PluginNames, coreDependency: string, peerRange: string): Map<string, string> {
  const template = TEMPLATES[names.kind];
  const options: PackageFileOptions = { names, kind: names.kind, template, peerRange, coreDependency };
  return new Map([
    ['package.json', packageJson(options)],
    ['tsconfig.json', tsconfigJson()],
    ['.gitignore', gitignore()],
    ['README.md', readme(options)],
    ['src/descriptor.ts', template.descriptor(names)],
    [`src/${names.type}.ts`, template.implementation(names)],
    ['src/index.ts', manifestModule(names)],
    [`test/${names.type}.test.ts`, template.test(names)],
  ]);
}

/** Every check of the command line (name, type, kind, directory, --core), before anything is done. */
export function prepareScaffold(name: string | undefined, options: ScaffoldOptions, cwd: string): PluginNames {
  const names = resolveNames(name, options, cwd);
  if (options.core !== undefined && options.core.trim() === '') {
    throw new FlowcastError('FC_SCAFFOLD', '--core needs an npm version range or package spec, such as --core ^0.1.0');
  }
  return names;
}

/**
 * Write a new plugin package checked by prepareScaffold. The core tarball is packed before the
 * directory is touched, so a failing `npm pack` leaves nothing behind either.
 */
export function writeScaffold(names: PluginNames, options: ScaffoldOptions, pack: () => string = packCore): ScaffoldResult {
  const peerRange = peerRangeFor(CORE_VERSION);
  const tarball = options.core === undefined ? pack() : undefined;
  try {
    const coreDependency = options.core ?? `file:vendor/${path.basename(tarball!)}`;
    const files = planFiles(names, coreDependency, peerRange);
    // Packing took a moment: make sure nothing appeared in the directory meanwhile.
    checkDirectory(names.directory);
    const written: string[] = [];
    for (const [relative, content] of files) {
      const target = path.join(names.directory, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content, { flag: 'wx' });
      written.push(relative);
    }
    if (tarball) {
      const vendored = path.join('vendor', path.basename(tarball));
      fs.mkdirSync(path.join(names.directory, 'vendor'), { recursive: true });
      fs.copyFileSync(tarball, path.join(names.directory, vendored));
      written.push(vendored.split(path.sep).join('/'));
    }
    return { names, files: written, coreDependency, peerRange };
  } finally {
    if (tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
  }
}
