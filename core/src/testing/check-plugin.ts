import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { ErrorCode } from '../errors/codes';
import { FlowcastError } from '../errors/flowcast-error';
import { ElementProbe } from '../registry/availability';
import { checkDescriptor } from '../registry/descriptor-checks';
import { readPluginPackage } from '../registry/manifest';
import { coreRangeProblem } from '../registry/open-registry';
import { scanManifestModule } from '../registry/scan';
import { SchemaCompiler } from '../registry/schema-compiler';
import type { PropertySchema } from '../api/schema';
import type { RegistryComponent } from '../registry/types';
import { CORE_VERSION } from '../version';

/** A plugin package read and checked as the registry would, with its components all usable. */
export interface CheckedPlugin {
  name: string;
  version: string;
  directory: string;
  components: RegistryComponent[];
}

interface Problem {
  code: ErrorCode;
  text: string;
}

/**
 * Read a plugin package the way `flowcast registry` does (package.json, the manifest module in a
 * child process, each descriptor, the GStreamer elements) and throw one FlowcastError listing
 * every problem, where the registry would list the package as broken or its types as unavailable.
 */
export function checkPluginPackage(packageDirectory: string): CheckedPlugin {
  const directory = path.resolve(packageDirectory);
  const read = readPluginPackage(directory);
  if (read.kind === 'not-a-plugin') {
    const reason = fs.existsSync(path.join(directory, 'package.json'))
      ? `${directory}/package.json has no "flowcast" key, or is not valid JSON`
      : `${directory} has no package.json`;
    throw new FlowcastError('FC_PLUGIN_NOT_A_PLUGIN', reason);
  }
  if (read.kind === 'broken') throw refuse(read, [{ code: 'FC_PLUGIN_MANIFEST', text: read.problem }]);
  const plugin = read.plugin;

  const scan = scanManifestModule(plugin.manifestModule);
  if (!scan.ok) {
    throw refuse(plugin, [{ code: 'FC_PLUGIN_MANIFEST', text: scan.error }], 'build the package first (npm run build); its manifest module must load without error');
  }
  if (!semver.satisfies(CORE_VERSION, plugin.coreRange, { includePrerelease: true })) {
    throw refuse(plugin, [{ code: 'FC_PLUGIN_CORE_RANGE', text: coreRangeProblem(plugin, CORE_VERSION) }], `declare a peer range on @flowcast/core that ${CORE_VERSION} satisfies`);
  }

  const compiler = new SchemaCompiler();
  const probe = new ElementProbe();
  const relative = (absolute: string): string => path.relative(directory, absolute).split(path.sep).join('/');
  const problems: Problem[] = [];
  const components: RegistryComponent[] = [];
  for (const raw of scan.components) {
    const checked = checkDescriptor(raw, plugin, compiler, relative);
    const code = schemaCompiles(raw, compiler) ? 'FC_PLUGIN_MANIFEST' : 'FC_PLUGIN_SCHEMA';
    problems.push(...checked.problems.map((text) => ({ code, text }) as Problem));
    if (!checked.entry) continue;
    const reason = probe.unavailableReason(checked.entry.elements);
    if (reason) problems.push({ code: 'FC_ELEMENT_MISSING', text: `component "${checked.entry.type}": ${reason}` });
    else components.push({ ...checked.entry, available: true });
  }
  if (problems.length > 0) throw refuse(plugin, problems);
  return { name: plugin.name, version: plugin.version, directory, components };
}

function schemaCompiles(raw: unknown, compiler: SchemaCompiler): boolean {
  const schema = (raw as { properties?: PropertySchema } | null)?.properties;
  if (!schema || typeof schema !== 'object') return true; // Reported as a shape problem, not a schema one.
  try {
    compiler.compile(schema);
    return true;
  } catch {
    return false;
  }
}

/** One error for all of a package's problems; its code is the first problem's. */
function refuse(pkg: { name: string; version: string; directory: string }, problems: Problem[], fix?: string): FlowcastError {
  const first = problems[0]!;
  return new FlowcastError(first.code, `plugin ${pkg.name} ${pkg.version} (${pkg.directory}) cannot be used: ${problems.map((p) => p.text).join('; ')}`, fix ? { fix } : {});
}
