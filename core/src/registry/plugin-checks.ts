import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { ErrorCode } from '../errors/codes';
import { ElementProbe } from './availability';
import { checkDescriptor, checkSchema } from './descriptor-checks';
import { CORE_PACKAGE, readPluginPackage, type PluginPackage } from './manifest';
import { coreRangeProblem } from './open-registry';
import { scanManifestModule } from './scan';
import { SchemaCompiler } from './schema-compiler';
import type { RegistryComponent } from './types';

/** Why a plugin package cannot be used. `forceable` problems are waived by `plugin add --force`. */
export interface PluginProblem {
  code: ErrorCode;
  reason: string;
  fix?: string;
  forceable: boolean;
}

export type CheckedComponent = Omit<RegistryComponent, 'available' | 'reason'>;

/** What reading a plugin package found: its problems, and as much of it as could be read. */
export interface PluginCheck {
  problems: PluginProblem[];
  /** Absent when the package.json is not a (well-formed) plugin's. */
  plugin?: PluginPackage;
  /** Absent when the manifest module did not load. */
  components?: CheckedComponent[];
}

/**
 * Read one plugin package as the registry does, each problem coded: package.json, the core range,
 * the manifest module (loaded in a child process), each descriptor and property schema, and the
 * GStreamer elements. Shared by `plugin add` (which adds its install-only checks) and the test kit.
 */
export function checkPluginPackage(directory: string, coreVersion: string): PluginCheck {
  const read = readPluginPackage(directory);
  if (read.kind === 'not-a-plugin') {
    const reason = fs.existsSync(path.join(directory, 'package.json'))
      ? `${packageName(directory)} has no "flowcast" key in its package.json, so it is not a Flowcast plugin`
      : `${directory} has no package.json`;
    return { problems: [{ code: 'FC_PLUGIN_NOT_A_PLUGIN', reason, forceable: false }] };
  }
  if (read.kind === 'broken') return { problems: [{ code: 'FC_PLUGIN_MANIFEST', reason: `${read.name} ${read.version}: ${read.problem}`, forceable: false }] };
  const plugin = read.plugin;
  const problems = checkCoreRange(plugin, coreVersion);
  const scan = scanManifestModule(plugin.manifestModule);
  if (!scan.ok) return { plugin, problems: [...problems, { code: 'FC_PLUGIN_LOAD', reason: `${plugin.name} ${plugin.version}: ${scan.error}`, forceable: false }] };
  const { components, problems: descriptorProblems } = checkDescriptors(plugin, scan.components);
  problems.push(...descriptorProblems, ...checkElements(plugin, components));
  return { plugin, components, problems };
}

export function checkCoreRange(plugin: PluginPackage, coreVersion: string): PluginProblem[] {
  if (semver.satisfies(coreVersion, plugin.coreRange, { includePrerelease: true })) return [];
  return [{ code: 'FC_PLUGIN_CORE_RANGE', reason: coreRangeProblem(plugin, coreVersion), forceable: true }];
}

/** The same check on a package.json read before installing (a tarball or directory). */
export function checkDeclaredCoreRange(json: Record<string, unknown>, coreVersion: string): PluginProblem[] {
  const range = (json.peerDependencies as Record<string, unknown> | undefined)?.[CORE_PACKAGE];
  if (typeof range !== 'string') return [];
  const plugin = { name: String(json.name), version: String(json.version), coreRange: range };
  return semver.satisfies(coreVersion, range, { includePrerelease: true }) ? [] : [{ code: 'FC_PLUGIN_CORE_RANGE', reason: coreRangeProblem(plugin, coreVersion), forceable: true }];
}

function checkDescriptors(plugin: PluginPackage, raws: unknown[]): { components: CheckedComponent[]; problems: PluginProblem[] } {
  const compiler = new SchemaCompiler();
  const components: CheckedComponent[] = [];
  const problems: PluginProblem[] = [];
  const relative = (absolute: string): string => path.relative(plugin.directory, absolute).split(path.sep).join('/');
  for (const raw of raws) {
    const type = (raw as { type?: unknown } | null)?.type;
    const where = `${plugin.name} ${plugin.version}, component "${typeof type === 'string' ? type : '?'}"`;
    const schemaProblems = checkSchema((raw as { properties?: unknown } | null)?.properties, compiler);
    const checked = checkDescriptor(raw, { name: plugin.name, version: plugin.version, directory: plugin.directory }, compiler, relative);
    for (const problem of schemaProblems) problems.push({ code: 'FC_PLUGIN_SCHEMA', reason: `${where}: ${problem}`, forceable: false });
    for (const problem of checked.problems.filter((p) => !schemaProblems.some((s) => p.endsWith(s)))) {
      problems.push({ code: 'FC_PLUGIN_MANIFEST', reason: `${plugin.name} ${plugin.version}: ${problem}`, forceable: false });
    }
    if (checked.entry) components.push(checked.entry);
  }
  if (raws.length === 0) problems.push({ code: 'FC_PLUGIN_MANIFEST', reason: `${plugin.name} ${plugin.version} declares no components`, forceable: false });
  return { components, problems };
}

export function checkElements(plugin: PluginPackage, components: CheckedComponent[]): PluginProblem[] {
  const probe = new ElementProbe();
  return components.flatMap((component) => {
    const reason = probe.unavailableReason(component.elements);
    return reason
      ? [{ code: 'FC_ELEMENT_MISSING' as const, reason: `${plugin.name}, component "${component.type}": ${reason}`, fix: `${reason.split(': ').pop()}, then run the command again (or pass --force to install it anyway: it stays unavailable until then)`, forceable: true }]
      : [];
  });
}

function packageName(directory: string): string {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : path.basename(directory);
  } catch {
    return path.basename(directory);
  }
}
