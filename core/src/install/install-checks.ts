import fs from 'node:fs';
import path from 'node:path';
import { CORE_PACKAGE, type PluginPackage } from '../registry/manifest';
import { checkPluginPackage, type CheckedComponent, type PluginProblem } from '../registry/plugin-checks';
import { qualifiedName, type Registry } from '../registry/registry';

/** Why an installed package is refused (see registry/plugin-checks.ts). */
export type InstallProblem = PluginProblem;

/** Packages a plugin must share with core: a second copy means a second DI container. */
const HOST_PACKAGES = [CORE_PACKAGE, 'tsyringe', 'reflect-metadata'];

export interface InstallCheckContext {
  packageDirectory: string;
  coreVersion: string;
  coreDirectory: string;
  /** The registry before the install, to find type collisions. */
  before: Registry;
}

/** What the checks learnt of a package that passed them. */
export interface CheckedPlugin {
  plugin: PluginPackage;
  components: CheckedComponent[];
}

/**
 * Every check `plugin add` makes: what the registry checks of any plugin package, then what only
 * matters once it is installed in this project (its own copy of host packages, type collisions).
 */
export function checkInstalledPlugin(ctx: InstallCheckContext): { problems: InstallProblem[]; checked?: CheckedPlugin } {
  const { plugin, components, problems } = checkPluginPackage(ctx.packageDirectory, ctx.coreVersion);
  if (!plugin) return { problems };
  problems.push(...checkHostCopies(plugin, ctx.coreDirectory));
  if (!components) return { problems };
  problems.push(...checkCollisions(plugin, components, ctx.before));
  return { problems, checked: { plugin, components } };
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

/** A type another package already provides: the short name would stop working in existing flows. */
export function checkCollisions(plugin: PluginPackage, components: CheckedComponent[], before: Registry): InstallProblem[] {
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
