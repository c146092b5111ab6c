import fs from 'node:fs';
import path from 'node:path';
import { openRegistry } from '../registry/open-registry';
import type { Registry } from '../registry/registry';
import { CORE_VERSION } from '../version';

/** The project directory: --project, else the nearest directory above cwd with a package.json. */
export function findProjectRoot(explicit: string | undefined, cwd: string): string {
  if (explicit) return path.resolve(cwd, explicit);
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && !dir.split(path.sep).includes('node_modules')) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}

export function loadRegistry(projectRoot: string, env: NodeJS.ProcessEnv, options: { rescan?: boolean; write?: boolean } = {}): Registry {
  return openRegistry({ projectRoot, coreVersion: CORE_VERSION, pluginPath: env.FLOWCAST_PLUGIN_PATH, ...options });
}
