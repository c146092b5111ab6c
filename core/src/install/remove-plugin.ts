import fs from 'node:fs';
import path from 'node:path';
import { parseFlow } from '../flow/parse';
import { forgetForcedCoreRange } from '../registry/forced-core-ranges';
import { openRegistry } from '../registry/open-registry';
import { splitTypeName } from '../registry/registry';
import { runNpm, npmTail } from './npm';
import { refreshEditorSchema } from './refresh-editor-schema';
import { declaredDependencies, restoreSnapshot, takeSnapshot } from './project-snapshot';

export interface RemovePluginOptions {
  projectRoot: string;
  name: string;
  env: NodeJS.ProcessEnv;
  coreVersion: string;
}

export type RemovePluginResult =
  | { ok: true; types: string[]; usedBy: string[] }
  | { ok: false; code: 'FC_PLUGIN_NOT_INSTALLED' | 'FC_PLUGIN_INSTALL'; reason: string; fix?: string };

/** Uninstall a plugin the project depends on, refresh the registry, and name the flows that used it. */
export async function removePlugin(options: RemovePluginOptions): Promise<RemovePluginResult> {
  const { projectRoot, name, env } = options;
  const registryOptions = { projectRoot, coreVersion: options.coreVersion, pluginPath: env.FLOWCAST_PLUGIN_PATH };
  const before = openRegistry({ ...registryOptions, write: false });
  const pkg = before.file.packages.find((p) => p.name === name);
  if (!pkg) {
    const installed = before.file.packages.map((p) => p.name).join(', ') || 'none';
    return { ok: false, code: 'FC_PLUGIN_NOT_INSTALLED', reason: `no plugin named "${name}" in this project (installed: ${installed})` };
  }
  if (declaredDependencies(projectRoot)[name] === undefined) {
    return {
      ok: false,
      code: 'FC_PLUGIN_NOT_INSTALLED',
      reason: `${name} is not a dependency of this project but comes from ${pkg.path} (a workspace or FLOWCAST_PLUGIN_PATH)`,
      fix: `remove it from there instead`,
    };
  }
  const types = [...before.list().filter((c) => c.package === name).map((c) => c.type), ...(pkg.types ?? [])];
  const snapshot = takeSnapshot(projectRoot);
  const result = await runNpm(projectRoot, ['uninstall', name], env);
  if (!result.ok) {
    restoreSnapshot(projectRoot, snapshot);
    return { ok: false, code: 'FC_PLUGIN_INSTALL', reason: `npm uninstall ${name} failed:\n${npmTail(result.output)}` };
  }
  forgetForcedCoreRange(projectRoot, name);
  refreshEditorSchema(projectRoot, openRegistry(registryOptions));
  return { ok: true, types, usedBy: flowsUsing(projectRoot, name, types) };
}

/** Flow files under flows/ that name one of the removed types: they will no longer validate. */
function flowsUsing(projectRoot: string, packageName: string, types: string[]): string[] {
  const directory = path.join(projectRoot, 'flows');
  let files: string[];
  try {
    files = fs.readdirSync(directory).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  return files
    .map((f) => path.join('flows', f))
    .filter((file) => {
      const { source } = parseFlow(fs.readFileSync(path.join(projectRoot, file), 'utf8'), file);
      return source?.components.some((c) => {
        const wanted = splitTypeName(c.type);
        return types.includes(wanted.type) && (wanted.package === undefined || wanted.package === packageName);
      });
    });
}
