import path from 'node:path';
import { openRegistry } from '../registry/open-registry';
import type { RegistryComponent } from '../registry/types';
import { checkDeclaredCoreRange } from '../registry/plugin-checks';
import { checkInstalledPlugin, type InstallProblem } from './install-checks';
import { runNpm, npmTail } from './npm';
import { refreshEditorSchema } from './refresh-editor-schema';
import { installTarget } from './package-spec';
import { declaredDependencies, restoreSnapshot, takeSnapshot, type ProjectSnapshot } from './project-snapshot';
import { recordForcedCoreRange } from '../registry/forced-core-ranges';

export interface AddPluginOptions {
  projectRoot: string;
  spec: string;
  cwd: string;
  force: boolean;
  env: NodeJS.ProcessEnv;
  coreVersion: string;
  coreDirectory: string;
}

export type AddPluginResult =
  | { ok: true; name: string; version: string; directory: string; components: readonly RegistryComponent[]; waived: InstallProblem[] }
  | { ok: false; problems: InstallProblem[] };

/**
 * Install a plugin package with npm, check it, and either refresh the registry or put the project
 * back exactly as it was: package.json, package-lock.json, registry.json and node_modules.
 */
export async function addPlugin(options: AddPluginOptions): Promise<AddPluginResult> {
  const { projectRoot, env } = options;
  const registryOptions = { projectRoot, coreVersion: options.coreVersion, pluginPath: env.FLOWCAST_PLUGIN_PATH };
  const before = openRegistry({ ...registryOptions, write: false });
  const snapshot = takeSnapshot(projectRoot);
  const target = installTarget(options.spec, options.cwd);
  // npm itself refuses a peer range the installed core does not satisfy, in its own words: check
  // first, so the operator reads Flowcast's error, and let npm through when the check is forced.
  const rangeProblems = target.packageJson ? checkDeclaredCoreRange(target.packageJson, options.coreVersion) : [];
  if (rangeProblems.length > 0 && !options.force) return { ok: false, problems: rangeProblems };
  const npmArgs = rangeProblems.length > 0 ? [...target.npmArgs, '--legacy-peer-deps'] : target.npmArgs;

  const installed = await runNpm(projectRoot, npmArgs, env);
  const name = target.name ?? addedDependency(snapshot, projectRoot);
  if (!installed.ok || !name) {
    await rollBack(projectRoot, snapshot, env);
    const why = installed.ok ? 'npm installed it, but which package it was could not be told from package.json' : `npm install failed:\n${npmTail(installed.output)}`;
    return { ok: false, problems: [{ code: 'FC_PLUGIN_INSTALL', reason: `could not install "${options.spec}": ${why}`, forceable: false }] };
  }

  const directory = path.join(projectRoot, 'node_modules', name);
  const { problems, checked } = checkInstalledPlugin({ packageDirectory: directory, coreVersion: options.coreVersion, coreDirectory: options.coreDirectory, before });
  const blocking = problems.filter((p) => !(p.forceable && options.force));
  if (blocking.length > 0 || !checked) {
    await rollBack(projectRoot, snapshot, env);
    return { ok: false, problems };
  }
  if (problems.some((p) => p.code === 'FC_PLUGIN_CORE_RANGE')) recordForcedCoreRange(projectRoot, checked.plugin.name, checked.plugin.version);
  const after = openRegistry(registryOptions);
  refreshEditorSchema(projectRoot, after);
  return {
    ok: true,
    name,
    version: checked.plugin.version,
    directory,
    components: after.list().filter((c) => c.package === name),
    waived: problems,
  };
}

/** The dependency npm added or changed, when the spec did not tell the name. */
function addedDependency(snapshot: ProjectSnapshot, projectRoot: string): string | undefined {
  const old = declaredDependencies(snapshot);
  const now = declaredDependencies(projectRoot);
  return Object.keys(now).find((name) => old[name] !== now[name]);
}

/** Put the tracked files back, let npm make node_modules match them, and put them back again. */
async function rollBack(projectRoot: string, snapshot: ProjectSnapshot, env: NodeJS.ProcessEnv): Promise<void> {
  restoreSnapshot(projectRoot, snapshot);
  const hadLock = snapshot.get('package-lock.json') !== undefined;
  await runNpm(projectRoot, hadLock ? ['install'] : ['install', '--no-package-lock'], env);
  restoreSnapshot(projectRoot, snapshot);
}
