import path from 'node:path';
import { FlowcastError } from '../errors/flowcast-error';
import { checkPluginPackage as checkPackage, type PluginProblem } from '../registry/plugin-checks';
import type { RegistryComponent } from '../registry/types';
import { CORE_VERSION } from '../version';

/** A plugin package read and checked as the registry would, with its components all usable. */
export interface CheckedPlugin {
  name: string;
  version: string;
  directory: string;
  components: RegistryComponent[];
}

/**
 * Read a plugin package with the checks `flowcast plugin add` makes of any package (package.json,
 * core range, manifest module, descriptors and schemas, GStreamer elements) and throw one
 * FlowcastError listing every problem, where the registry would list the package as broken or
 * its types as unavailable.
 */
export function checkPluginPackage(packageDirectory: string): CheckedPlugin {
  const directory = path.resolve(packageDirectory);
  const { plugin, components, problems } = checkPackage(directory, CORE_VERSION);
  if (problems.length > 0 || !plugin || !components) throw refuse(directory, plugin, problems);
  return { name: plugin.name, version: plugin.version, directory, components: components.map((c) => ({ ...c, available: true })) };
}

/** One error for all of a package's problems; its code and fix are the first problem's, in an author's terms. */
function refuse(directory: string, plugin: { name: string; version: string } | undefined, problems: PluginProblem[]): FlowcastError {
  const first = problems[0]!;
  const where = plugin ? `plugin ${plugin.name} ${plugin.version} (${directory}) cannot be used: ` : '';
  const reason = `${where}${problems.map((p) => p.reason).join('; ')}`;
  switch (first.code) {
    // For an author, a manifest that does not load is most often one not built yet.
    case 'FC_PLUGIN_LOAD':
      return new FlowcastError('FC_PLUGIN_MANIFEST', reason, { fix: 'build the package first (npm run build); its manifest module must load without error' });
    case 'FC_PLUGIN_CORE_RANGE':
      return new FlowcastError(first.code, reason, { fix: `declare a peer range on @flowcast/core that ${CORE_VERSION} satisfies` });
    default:
      // The problems' own fixes speak of `plugin add` (and --force): the code's default fits here.
      return new FlowcastError(first.code, reason);
  }
}
