import fs from 'node:fs';
import path from 'node:path';

/**
 * Candidate plugin package directories: the project's own dependencies and workspaces, then each
 * directory in FLOWCAST_PLUGIN_PATH (a package itself, or a folder of packages). No crawl of
 * node_modules: only what the project names is looked at.
 */
export function candidatePackageDirectories(projectRoot: string, pluginPath: string | undefined): string[] {
  const found = new Set<string>();
  const rootJson = readJson(path.join(projectRoot, 'package.json'));
  for (const name of dependencyNames(rootJson)) {
    const directory = resolvePackageDirectory(projectRoot, name);
    if (directory) found.add(directory);
  }
  for (const pattern of workspacePatterns(rootJson)) {
    for (const directory of expandWorkspace(projectRoot, pattern)) found.add(fs.realpathSync(directory));
  }
  for (const entry of (pluginPath ?? '').split(path.delimiter).filter(Boolean)) {
    const directory = path.resolve(projectRoot, entry);
    if (fs.existsSync(path.join(directory, 'package.json'))) found.add(fs.realpathSync(directory));
    else for (const child of subdirectories(directory)) found.add(fs.realpathSync(child));
  }
  return [...found].sort();
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function dependencyNames(json: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const key of ['dependencies', 'optionalDependencies', 'devDependencies']) {
    const deps = json[key];
    if (deps && typeof deps === 'object') names.push(...Object.keys(deps));
  }
  return names;
}

function workspacePatterns(json: Record<string, unknown>): string[] {
  const workspaces = json.workspaces;
  if (Array.isArray(workspaces)) return workspaces.filter((w): w is string => typeof w === 'string');
  const packages = (workspaces as { packages?: unknown } | undefined)?.packages;
  return Array.isArray(packages) ? packages.filter((w): w is string => typeof w === 'string') : [];
}

/** Workspaces as npm writes them: `dir` or `dir/*`. */
function expandWorkspace(projectRoot: string, pattern: string): string[] {
  if (pattern.endsWith('/*')) {
    return subdirectories(path.resolve(projectRoot, pattern.slice(0, -2))).filter((d) => fs.existsSync(path.join(d, 'package.json')));
  }
  const directory = path.resolve(projectRoot, pattern);
  return fs.existsSync(path.join(directory, 'package.json')) ? [directory] : [];
}

function resolvePackageDirectory(projectRoot: string, name: string): string | undefined {
  for (let dir = projectRoot; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

function subdirectories(directory: string): string[] {
  try {
    return fs
      .readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => path.join(directory, entry.name));
  } catch {
    return [];
  }
}
