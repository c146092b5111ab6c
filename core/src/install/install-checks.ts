import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { ErrorCode } from '../errors/codes';
import { ElementProbe } from '../registry/availability';
import { checkDescriptor, checkSchema } from '../registry/descriptor-checks';
import { CORE_PACKAGE, readPluginPackage, type PluginPackage } from '../registry/manifest';
import { coreRangeProblem } from '../registry/open-registry';
import { qualifiedName, type Registry } from '../registry/registry';
import { scanManifestModule } from '../registry/scan';
import { SchemaCompiler } from '../registry/schema-compiler';
import type { RegistryComponent } from '../registry/types';

/** Why an installed package is refused. `forceable` problems are waived by `--force`, and said so. */
export interface InstallProblem {
  code: ErrorCode;
  reason: string;
  fix?: string;
  forceable: boolean;
}

/** What the checks learnt of a package that passed them. */
export interface CheckedPlugin {
  plugin: PluginPackage;
  components: Omit<RegistryComponent, 'available' | 'reason'>[];
}

/** Packages a plugin must share with core: a second copy means a second DI container. */
const HOST_PACKAGES = [CORE_PACKAGE, 'tsyringe', 'reflect-metadata'];

export interface InstallCheckContext {
  packageDirectory: string;
  coreVersion: string;
  coreDirectory: string;
  /** The registry before the install, to find type collisions. */
  before: Registry;
}

/**
 * Every check `plugin add` makes, in order. The first two stop the rest (without a readable
 * manifest nothing else can be checked); the others are all reported together.
 */
export function checkInstalledPlugin(ctx: InstallCheckContext): { problems: InstallProblem[]; checked?: CheckedPlugin } {
  const read = readPluginPackage(ctx.packageDirectory);
  if (read.kind === 'not-a-plugin') {
    return { problems: [{ code: 'FC_PLUGIN_NOT_A_PLUGIN', reason: `${packageName(ctx.packageDirectory)} has no "flowcast" key in its package.json, so it is not a Flowcast plugin`, forceable: false }] };
  }
  if (read.kind === 'broken') return { problems: [{ code: 'FC_PLUGIN_MANIFEST', reason: `${read.name} ${read.version}: ${read.problem}`, forceable: false }] };
  const plugin = read.plugin;
  const problems = [...checkCoreRange(plugin, ctx.coreVersion), ...checkHostCopies(plugin, ctx.coreDirectory)];

  const scan = scanManifestModule(plugin.manifestModule);
  if (!scan.ok) return { problems: [...problems, { code: 'FC_PLUGIN_LOAD', reason: `${plugin.name} ${plugin.version}: ${scan.error}`, forceable: false }] };
  const { components, problems: descriptorProblems } = checkDescriptors(plugin, scan.components);
  problems.push(...descriptorProblems, ...checkCollisions(plugin, components, ctx.before), ...checkElements(plugin, components));
  return { problems, checked: { plugin, components } };
}

export function checkCoreRange(plugin: PluginPackage, coreVersion: string): InstallProblem[] {
  if (semver.satisfies(coreVersion, plugin.coreRange, { includePrerelease: true })) return [];
  return [{ code: 'FC_PLUGIN_CORE_RANGE', reason: coreRangeProblem(plugin, coreVersion), forceable: true }];
}

/** The same check on a package.json read before installing (a tarball or directory). */
export function checkDeclaredCoreRange(json: Record<string, unknown>, coreVersion: string): InstallProblem[] {
  const range = (json.peerDependencies as Record<string, unknown> | undefined)?.[CORE_PACKAGE];
  if (typeof range !== 'string') return [];
  const plugin = { name: String(json.name), version: String(json.version), coreRange: range };
  return semver.satisfies(coreVersion, range, { includePrerelease: true }) ? [] : [{ code: 'FC_PLUGIN_CORE_RANGE', reason: coreRangeProblem(plugin, coreVersion), forceable: true }];
}

/** Each host package must resolve, from the plugin's own directory, to the very copy core uses. */
export function checkHostCopies(plugin: PluginPackage, coreDirectory: string): InstallProblem[] {
  const problems: InstallProblem[] = [];
  for (const name of HOST_PACKAGES) {
    const hostCopy = name === CORE_PACKAGE ? coreDirectory : resolvePackageDirectory(name, coreDirectory);
    const pluginCopy = resolvePackageDirectory(name, plugin.directory);
    if (pluginCopy && hostCopy && pluginCopy !== hostCopy) {
      problems.push({
        code: 'FC_PLUGIN_HOST_COPY',
        reason: `${plugin.name} ${plugin.version} brings its own copy of ${name} (${pluginCopy}); core uses ${hostCopy}, and two copies mean two dependency-injection containers${name === CORE_PACKAGE ? ' (if that copy is the project\'s own core, run the project\'s own `npx flowcast`)' : ''}`,
        forceable: false,
      });
    }
  }
  for (const name of declaredHostDependencies(plugin.directory)) {
    if (problems.some((p) => p.reason.includes(`copy of ${name} `))) continue;
    problems.push({
      code: 'FC_PLUGIN_HOST_COPY',
      reason: `${plugin.name} ${plugin.version} lists ${name} in "dependencies" or "bundleDependencies"; it must come from core (a peer dependency), or a later install may give the plugin its own copy`,
      forceable: false,
    });
  }
  return problems;
}

function checkDescriptors(plugin: PluginPackage, raws: unknown[]): { components: CheckedPlugin['components']; problems: InstallProblem[] } {
  const compiler = new SchemaCompiler();
  const components: CheckedPlugin['components'] = [];
  const problems: InstallProblem[] = [];
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

/** A type another package already provides: the short name would stop working in existing flows. */
export function checkCollisions(plugin: PluginPackage, components: CheckedPlugin['components'], before: Registry): InstallProblem[] {
  const problems: InstallProblem[] = [];
  for (const component of components) {
    const other = before.list().find((c) => c.type === component.type && c.package !== plugin.name);
    if (!other) continue;
    problems.push({
      code: 'FC_TYPE_COLLISION',
      reason: `${plugin.name} provides the component type "${component.type}", which ${other.package} already provides; flows writing "${component.type}" would become ambiguous`,
      fix: `remove one of the two packages, or pass --force and write "${qualifiedName(other)}" or "${plugin.name}/${component.type}" in flows`,
      forceable: true,
    });
  }
  return problems;
}

export function checkElements(plugin: PluginPackage, components: CheckedPlugin['components']): InstallProblem[] {
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

/** Node's lookup: the nearest node_modules/NAME above `from`, as a real path. */
function resolvePackageDirectory(name: string, from: string): string | undefined {
  for (let dir = fs.realpathSync(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

function declaredHostDependencies(directory: string): string[] {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      bundleDependencies?: unknown;
      bundledDependencies?: unknown;
    };
    const bundled = [json.bundleDependencies, json.bundledDependencies].flatMap((b) => (Array.isArray(b) ? (b as string[]) : []));
    return HOST_PACKAGES.filter((name) => json.dependencies?.[name] !== undefined || bundled.includes(name));
  } catch {
    return [];
  }
}
