import type { Registry } from '../../registry/registry';
import type { RegistryPackage } from '../../registry/types';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot, loadRegistry } from '../project';
import { printTable } from './registry';

export const PLUGIN_LIST_HELP = `Usage: flowcast plugin list [--json]

The plugin packages this project uses, with their version, component types and status:
"ok", "broken: why" (it cannot be used: fails to load, invalid schema, made for another core…),
or the components that are unavailable on this machine and why.`;

export interface PluginStatus {
  name: string;
  version: string;
  path: string;
  components: string[];
  status: 'ok' | 'broken' | 'unavailable' | 'partly unavailable';
  reason?: string;
}

export function pluginListCommand(options: { project?: string; json?: boolean }, io: CommandIO): Promise<number> {
  const registry = loadRegistry(findProjectRoot(options.project, io.cwd), io.env);
  const statuses = registry.file.packages.map((pkg) => statusOf(pkg, registry));
  if (options.json) io.out(JSON.stringify(statuses, null, 2));
  else printTable(['PACKAGE', 'VERSION', 'COMPONENTS', 'STATUS'], statuses.map((s) => [s.name, s.version, s.components.join(', ') || '-', s.reason ? `${s.status}: ${s.reason}` : s.status]), io);
  return Promise.resolve(EXIT.ok);
}

function statusOf(pkg: RegistryPackage, registry: Registry): PluginStatus {
  const components = registry.list().filter((c) => c.package === pkg.name);
  const base = { name: pkg.name, version: pkg.version, path: pkg.path, components: components.length ? components.map((c) => c.type) : (pkg.types ?? []) };
  if (pkg.problem) return { ...base, status: 'broken', reason: pkg.problem };
  const unavailable = components.filter((c) => !c.available);
  if (unavailable.length) return { ...base, status: unavailable.length === components.length ? 'unavailable' : 'partly unavailable', reason: unavailable.map((c) => `${c.type}: ${c.reason}`).join('; ') };
  return { ...base, status: 'ok', ...(pkg.forced ? { reason: pkg.forced } : {}) };
}
