import fs from 'node:fs';
import path from 'node:path';

/** The files an install may change; restored byte for byte when the install is refused. */
const TRACKED = ['package.json', 'package-lock.json', '.npmrc', 'registry.json', 'flow.schema.json'];

export type ProjectSnapshot = ReadonlyMap<string, Buffer | undefined>;

export function takeSnapshot(projectRoot: string): ProjectSnapshot {
  return new Map(TRACKED.map((name) => [name, readIfExists(path.join(projectRoot, name))]));
}

export function restoreSnapshot(projectRoot: string, snapshot: ProjectSnapshot): void {
  for (const [name, content] of snapshot) {
    const file = path.join(projectRoot, name);
    if (content === undefined) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, content);
  }
}

/** The project's declared dependencies, by name, with the spec each was installed from. */
export function declaredDependencies(snapshotOrRoot: ProjectSnapshot | string): Record<string, string> {
  const content = typeof snapshotOrRoot === 'string' ? readIfExists(path.join(snapshotOrRoot, 'package.json')) : snapshotOrRoot.get('package.json');
  if (!content) return {};
  try {
    const json = JSON.parse(content.toString('utf8')) as Record<string, Record<string, string> | undefined>;
    return { ...json.devDependencies, ...json.optionalDependencies, ...json.dependencies };
  } catch {
    return {};
  }
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}
