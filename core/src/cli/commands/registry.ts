import { readRegistryFile } from '../../registry/open-registry';
import { qualifiedName } from '../../registry/registry';
import type { RegistryComponent, RegistryFile } from '../../registry/types';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot, loadRegistry } from '../project';

export const REGISTRY_HELP = `Usage: flowcast registry [--update | --check] [--json]

List the component types this project can use: its own dependencies and workspaces that are
Flowcast plugins, and the directories in FLOWCAST_PLUGIN_PATH. The result is cached in
registry.json and rescanned when a package's path, version or files change.

  --update   rescan every plugin package and rewrite registry.json
  --check    rescan and compare with registry.json without writing it; exit 1 when stale
  --json     print the registry as JSON`;

export function registryCommand(options: { update?: boolean; check?: boolean; json?: boolean; project?: string }, io: CommandIO): number {
  const root = findProjectRoot(options.project, io.cwd);
  if (options.check) return checkRegistry(root, io);
  const registry = loadRegistry(root, io.env, { rescan: options.update });
  if (options.json) {
    io.out(JSON.stringify(registry.file, null, 2));
    return EXIT.ok;
  }
  const rows = registry.list().map((c) => [c.type, c.kind, `${c.package}@${c.version}`, c.available ? 'available' : `unavailable: ${c.reason}`]);
  printTable(['TYPE', 'KIND', 'PACKAGE', 'STATUS'], rows, io);
  for (const pkg of registry.file.packages.filter((p) => p.problem)) io.err(`broken plugin ${pkg.name}@${pkg.version} (${pkg.path}): ${pkg.problem}`);
  return EXIT.ok;
}

/** What a stale registry.json would change; machine-dependent fields are left out. */
function checkRegistry(root: string, io: CommandIO): number {
  const committed = readRegistryFile(root);
  // registry.json holds the project's plugins only: FLOWCAST_PLUGIN_PATH ones are this machine's.
  const fresh = loadRegistry(root, { ...io.env, FLOWCAST_PLUGIN_PATH: undefined }, { rescan: true, write: false }).file;
  const differences = compare(committed, fresh);
  if (differences.length === 0) {
    io.out(`registry.json is up to date (${fresh.components.length} components)`);
    return EXIT.ok;
  }
  for (const difference of differences) io.err(`registry.json is stale: ${difference}`);
  io.err('FC_REGISTRY_STALE: Fix: run `npm run registry` and commit registry.json');
  return EXIT.failed;
}

function compare(committed: RegistryFile | undefined, fresh: RegistryFile): string[] {
  if (!committed) return ['registry.json is missing or unreadable'];
  const stable = (c: RegistryComponent): string => JSON.stringify({ ...c, available: undefined, reason: undefined });
  const differences: string[] = [];
  const same = (a: RegistryComponent) => (b: RegistryComponent) => a.type === b.type && a.package === b.package;
  for (const component of fresh.components) {
    const old = committed.components.find(same(component));
    if (!old) differences.push(`component "${qualifiedName(component)}" is missing`);
    else if (stable(old) !== stable(component)) differences.push(`component "${qualifiedName(component)}" differs from its package`);
  }
  for (const old of committed.components) {
    if (!fresh.components.some(same(old))) differences.push(`component "${qualifiedName(old)}" no longer exists`);
  }
  const packages = (file: RegistryFile): string => JSON.stringify(file.packages.map((p) => ({ name: p.name, version: p.version, path: p.path, problem: p.problem })));
  if (packages(committed) !== packages(fresh)) differences.push('the list of plugin packages differs');
  return differences;
}

export function printTable(header: string[], rows: string[][], io: CommandIO): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  io.out(line(header));
  for (const row of rows) io.out(line(row));
}
