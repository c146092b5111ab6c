import { busyMessage, isBusy, withInstallLock } from '../../install/install-lock';
import { removePlugin } from '../../install/remove-plugin';
import { defaultFix } from '../../errors/codes';
import { CORE_VERSION } from '../../version';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot } from '../project';

export const PLUGIN_REMOVE_HELP = `Usage: flowcast plugin remove NAME

Uninstall the plugin package NAME from this project with npm and refresh the registry. Flow files
in flows/ that use its component types are named, since they will no longer validate.`;

export async function pluginRemoveCommand(name: string | undefined, options: { project?: string }, io: CommandIO): Promise<number> {
  if (!name) {
    io.err('flowcast plugin remove: name the plugin package to remove (flowcast plugin list shows them)');
    return EXIT.invalid;
  }
  const projectRoot = findProjectRoot(options.project, io.cwd);
  const result = await withInstallLock(projectRoot, () => removePlugin({ projectRoot, name, env: io.env, coreVersion: CORE_VERSION }));
  if (isBusy(result)) {
    io.err(busyMessage(result.pid));
    return EXIT.failed;
  }
  if (!result.ok) {
    io.err(`${result.code}: ${result.reason}. Fix: ${result.fix ?? defaultFix(result.code)}`);
    return result.code === 'FC_PLUGIN_NOT_INSTALLED' ? EXIT.invalid : EXIT.failed;
  }
  io.out(`removed ${name}${result.types.length ? ` (component types: ${result.types.join(', ')})` : ''}`);
  for (const file of result.usedBy) io.err(`warning: ${file} uses a component type of ${name} and will not validate until it is changed`);
  return EXIT.ok;
}
