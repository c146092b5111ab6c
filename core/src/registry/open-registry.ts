import fs from 'node:fs';
import path from 'node:path';
import type * as Semver from 'semver';
import { ElementProbe } from './availability';
import { forcedCoreRanges } from './forced-core-ranges';
import { checkDescriptor } from './descriptor-checks';
import { candidatePackageDirectories } from './discover';
import { readPluginPackage, type PluginPackage } from './manifest';
import { Registry } from './registry';
import { scanManifestModule } from './scan';
import type { SchemaCompiler } from './schema-compiler';
import { readStamps, sameStamp, stampFilePath, stampOf, writeFileAtomic, writeStamps, type StampFile } from './stamps';
import type { RegistryComponent, RegistryFile, RegistryPackage } from './types';

/*
 * semver and the schema compiler (ajv) are only needed when a package is scanned, which a flow
 * process that finds registry.json up to date never does: they are loaded then, not at start
 * (a flow process keeps what it loads for its whole life).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const semver = (): typeof Semver => require('semver') as typeof Semver;
const newSchemaCompiler = (): SchemaCompiler => new (require('./schema-compiler') as typeof import('./schema-compiler')).SchemaCompiler();
/* eslint-enable @typescript-eslint/no-require-imports */

export interface OpenRegistryOptions {
  projectRoot: string;
  coreVersion: string;
  /** FLOWCAST_PLUGIN_PATH. */
  pluginPath?: string;
  /** Ignore the stamps and scan every package again. */
  rescan?: boolean;
  /** Write registry.json and the stamps (false for `registry --check`). */
  write?: boolean;
}

export function registryFilePath(projectRoot: string): string {
  return path.join(projectRoot, 'registry.json');
}

/**
 * What was found of FLOWCAST_PLUGIN_PATH packages, kept beside the stamps (machine-local, like
 * them) rather than in registry.json, which is committed and the same on every checkout.
 */
function localRegistryPath(projectRoot: string): string {
  return path.join(path.dirname(stampFilePath(projectRoot)), 'registry-local.json');
}

function readLocalRegistry(projectRoot: string): RegistryFile | undefined {
  try {
    const file = JSON.parse(fs.readFileSync(localRegistryPath(projectRoot), 'utf8')) as RegistryFile;
    return file.format === 1 ? file : undefined;
  } catch {
    return undefined;
  }
}

export function readRegistryFile(projectRoot: string): RegistryFile | undefined {
  try {
    const file = JSON.parse(fs.readFileSync(registryFilePath(projectRoot), 'utf8')) as RegistryFile;
    return file.format === 1 ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Discover the plugins, reuse what registry.json says of packages whose path, version and mtime
 * are unchanged, scan the others, and save the result when it changed.
 */
export function openRegistry(options: OpenRegistryOptions): Registry {
  const { projectRoot, coreVersion } = options;
  const previous = options.rescan ? undefined : readRegistryFile(projectRoot);
  const previousLocal = options.rescan ? undefined : readLocalRegistry(projectRoot);
  const oldStamps = options.rescan ? {} : readStamps(projectRoot, coreVersion);
  const newStamps: StampFile = {};
  let compiler: SchemaCompiler | undefined;
  const probe = new ElementProbe();
  const packages: RegistryPackage[] = [];
  const components: RegistryComponent[] = [];
  const forced = forcedCoreRanges(projectRoot);
  const relative = (absolute: string): string => path.relative(projectRoot, absolute).split(path.sep).join('/') || '.';
  // FLOWCAST_PLUGIN_PATH packages belong to this machine: used, but never written to registry.json.
  const projectDirectories = new Set(candidatePackageDirectories(projectRoot, undefined));
  const machineLocal = new Set<string>();

  for (const directory of candidatePackageDirectories(projectRoot, options.pluginPath)) {
    const read = readPluginPackage(directory);
    if (read.kind === 'not-a-plugin') continue;
    if (!projectDirectories.has(directory)) machineLocal.add(read.kind === 'broken' ? read.name : read.plugin.name);
    if (read.kind === 'broken') {
      packages.push({ name: read.name, version: read.version, path: relative(directory), problem: read.problem });
      continue;
    }
    const plugin = read.plugin;
    const stamp = stampOf(relative(directory), plugin.version, directory, plugin.manifestModule);
    newStamps[plugin.name] = stamp;
    const source = machineLocal.has(plugin.name) ? previousLocal : previous;
    const cached = source?.packages.find((p) => p.name === plugin.name);
    if (source && cached && sameStamp(oldStamps[plugin.name], stamp)) {
      packages.push(cached);
      components.push(...source.components.filter((c) => c.package === plugin.name));
      continue;
    }
    const scanned = scanPackage(plugin, coreVersion, forced[plugin.name] === plugin.version, (compiler ??= newSchemaCompiler()), probe, (abs) => path.relative(directory, abs).split(path.sep).join('/'));
    packages.push({
      name: plugin.name,
      version: plugin.version,
      path: relative(directory),
      ...(scanned.problem ? { problem: scanned.problem, types: scanned.brokenTypes } : {}),
      ...(scanned.forced ? { forced: scanned.forced } : {}),
    });
    components.push(...scanned.components);
  }

  const file = normalise(packages, components);
  if (options.write !== false) {
    const committed = normalise(
      packages.filter((p) => !machineLocal.has(p.name)),
      components.filter((c) => !machineLocal.has(c.package)),
    );
    const text = JSON.stringify(committed, null, 2) + '\n';
    const current = fs.existsSync(registryFilePath(projectRoot)) ? fs.readFileSync(registryFilePath(projectRoot), 'utf8') : '';
    if (text !== current) writeFileAtomic(registryFilePath(projectRoot), text);
    const local = normalise(
      packages.filter((p) => machineLocal.has(p.name)),
      components.filter((c) => machineLocal.has(c.package)),
    );
    writeFileAtomic(localRegistryPath(projectRoot), JSON.stringify(local, null, 2) + '\n');
    writeStamps(projectRoot, coreVersion, newStamps);
  }
  return new Registry(projectRoot, file);
}

/**
 * Load one package's manifest (in a child process) and check each descriptor. A package made for
 * another core is still read, so a flow using one of its types can be told why it cannot run.
 */
function scanPackage(
  plugin: PluginPackage,
  coreVersion: string,
  coreRangeForced: boolean,
  compiler: SchemaCompiler,
  probe: ElementProbe,
  relative: (absolute: string) => string,
): { problem?: string; forced?: string; brokenTypes: string[]; components: RegistryComponent[] } {
  const scan = scanManifestModule(plugin.manifestModule);
  if (!scan.ok) return { problem: scan.error, brokenTypes: [], components: [] };
  const coreMismatch = !semver().satisfies(coreVersion, plugin.coreRange, { includePrerelease: true });
  if (coreMismatch && !coreRangeForced) {
    return { problem: coreRangeProblem(plugin, coreVersion), brokenTypes: declaredTypes(scan.components), components: [] };
  }
  const forced = coreMismatch ? `made for @flowcast/core ${plugin.coreRange}, used with ${coreVersion} because it was added with --force` : undefined;
  const problems: string[] = [];
  const brokenTypes: string[] = [];
  const components: RegistryComponent[] = [];
  for (const raw of scan.components) {
    const checked = checkDescriptor(raw, { name: plugin.name, version: plugin.version, directory: plugin.directory }, compiler, relative);
    problems.push(...checked.problems);
    if (!checked.entry) {
      brokenTypes.push(...declaredTypes([raw]));
      continue;
    }
    const reason = probe.unavailableReason(checked.entry.elements);
    components.push({ ...checked.entry, available: reason === undefined, ...(reason ? { reason } : {}) });
  }
  return { ...(problems.length ? { problem: problems.join('; ') } : {}), ...(forced ? { forced } : {}), brokenTypes, components };
}

export function coreRangeProblem(plugin: { name: string; version: string; coreRange: string }, coreVersion: string): string {
  return `${plugin.name} ${plugin.version} targets @flowcast/core ${plugin.coreRange}, but this core is ${coreVersion}: install a version of the plugin made for core ${semver().major(coreVersion)}.${semver().major(coreVersion) === 0 ? `${semver().minor(coreVersion)}.x` : 'x'}`;
}

function declaredTypes(raws: unknown[]): string[] {
  return raws.map((raw) => (raw as { type?: unknown } | null)?.type).filter((type): type is string => typeof type === 'string');
}

/**
 * Sorted by type then package, so registry.json is the same on every machine: by code point, not
 * by locale (names are lowercase ASCII, where both agree), since a collator pages ICU's data into
 * every flow process that opens the registry (some 3 MB of resident memory).
 */
function normalise(packages: RegistryPackage[], components: RegistryComponent[]): RegistryFile {
  packages.sort((a, b) => byCodePoint(a.name, b.name));
  components.sort((a, b) => byCodePoint(a.type, b.type) || byCodePoint(a.package, b.package));
  return { format: 1, packages, components };
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
