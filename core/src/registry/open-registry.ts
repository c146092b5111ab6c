import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { ElementProbe } from './availability';
import { checkDescriptor } from './descriptor-checks';
import { candidatePackageDirectories } from './discover';
import { readPluginPackage, type PluginPackage } from './manifest';
import { Registry } from './registry';
import { scanManifestModule } from './scan';
import { SchemaCompiler } from './schema-compiler';
import { readStamps, sameStamp, stampOf, writeFileAtomic, writeStamps, type StampFile } from './stamps';
import type { RegistryComponent, RegistryFile, RegistryPackage } from './types';

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
  const oldStamps = options.rescan ? {} : readStamps(projectRoot, coreVersion);
  const newStamps: StampFile = {};
  const compiler = new SchemaCompiler();
  const probe = new ElementProbe();
  const packages: RegistryPackage[] = [];
  const components: RegistryComponent[] = [];
  const relative = (absolute: string): string => path.relative(projectRoot, absolute).split(path.sep).join('/') || '.';

  for (const directory of candidatePackageDirectories(projectRoot, options.pluginPath)) {
    const read = readPluginPackage(directory);
    if (read.kind === 'not-a-plugin') continue;
    if (read.kind === 'broken') {
      packages.push({ name: read.name, version: read.version, path: relative(directory), problem: read.problem });
      continue;
    }
    const plugin = read.plugin;
    const stamp = stampOf(relative(directory), plugin.version, directory, plugin.manifestModule);
    newStamps[plugin.name] = stamp;
    const cached = previous?.packages.find((p) => p.name === plugin.name);
    if (previous && cached && sameStamp(oldStamps[plugin.name], stamp)) {
      packages.push(cached);
      components.push(...previous.components.filter((c) => c.package === plugin.name));
      continue;
    }
    const scanned = scanPackage(plugin, coreVersion, compiler, probe, (abs) => path.relative(directory, abs).split(path.sep).join('/'));
    packages.push({ name: plugin.name, version: plugin.version, path: relative(directory), ...(scanned.problem ? { problem: scanned.problem } : {}) });
    components.push(...scanned.components);
  }

  const file = normalise(packages, components);
  if (options.write !== false) {
    const text = JSON.stringify(file, null, 2) + '\n';
    const current = fs.existsSync(registryFilePath(projectRoot)) ? fs.readFileSync(registryFilePath(projectRoot), 'utf8') : '';
    if (text !== current) writeFileAtomic(registryFilePath(projectRoot), text);
    writeStamps(projectRoot, coreVersion, newStamps);
  }
  return new Registry(projectRoot, file);
}

function scanPackage(
  plugin: PluginPackage,
  coreVersion: string,
  compiler: SchemaCompiler,
  probe: ElementProbe,
  relative: (absolute: string) => string,
): { problem?: string; components: RegistryComponent[] } {
  if (!semver.satisfies(coreVersion, plugin.coreRange, { includePrerelease: true })) {
    return {
      problem: `${plugin.name} ${plugin.version} targets @flowcast/core ${plugin.coreRange}, but this core is ${coreVersion}: install a version of the plugin made for core ${semver.major(coreVersion)}.x`,
      components: [],
    };
  }
  const scan = scanManifestModule(plugin.manifestModule);
  if (!scan.ok) return { problem: scan.error, components: [] };
  const problems: string[] = [];
  const components: RegistryComponent[] = [];
  for (const raw of scan.components) {
    const checked = checkDescriptor(raw, { name: plugin.name, version: plugin.version, directory: plugin.directory }, compiler, relative);
    problems.push(...checked.problems);
    if (!checked.entry) continue;
    const reason = probe.unavailableReason(checked.entry.elements);
    components.push({ ...checked.entry, available: reason === undefined, ...(reason ? { reason } : {}) });
  }
  return { ...(problems.length ? { problem: problems.join('; ') } : {}), components };
}

/** Sorted, and a type provided twice is kept once, the later copy marked unavailable. */
function normalise(packages: RegistryPackage[], components: RegistryComponent[]): RegistryFile {
  packages.sort((a, b) => a.name.localeCompare(b.name));
  components.sort((a, b) => a.type.localeCompare(b.type) || a.package.localeCompare(b.package));
  const seen = new Map<string, string>();
  const unique: RegistryComponent[] = [];
  for (const component of components) {
    const first = seen.get(component.type);
    if (first) {
      const pkg = packages.find((p) => p.name === component.package);
      if (pkg) pkg.problem = `component type "${component.type}" is already provided by ${first}; remove one of the two packages`;
      continue;
    }
    seen.set(component.type, component.package);
    unique.push(component);
  }
  return { format: 1, packages, components: unique };
}
