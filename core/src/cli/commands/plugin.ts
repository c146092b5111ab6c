import { EXIT, type CommandIO } from '../io';
import { PLUGIN_ADD_HELP, pluginAddCommand } from './plugin-add';
import { PLUGIN_LIST_HELP, pluginListCommand } from './plugin-list';
import { PLUGIN_NEW_HELP, pluginNewCommand } from './plugin-new';
import { PLUGIN_REMOVE_HELP, pluginRemoveCommand } from './plugin-remove';

export const PLUGIN_HELP = `Usage: flowcast plugin COMMAND

  new NAME [--kind KIND] [--type TYPE] [--dir DIR] [--core SPEC]
                                       scaffold a new plugin package, ready to build and test
  add SPEC [--force]                   install a plugin (npm name, tarball or directory) and check it
  remove NAME                          uninstall a plugin
  list [--json]                        the installed plugins: version, components, status

Run \`flowcast plugin COMMAND --help\` for a command's options.`;

const SUBCOMMAND_HELP: Record<string, string> = { new: PLUGIN_NEW_HELP, add: PLUGIN_ADD_HELP, remove: PLUGIN_REMOVE_HELP, list: PLUGIN_LIST_HELP };

export function pluginHelp(subcommand: string): string {
  return SUBCOMMAND_HELP[subcommand] ?? PLUGIN_HELP;
}

export interface PluginOptions {
  project?: string;
  force?: boolean;
  kind?: string;
  type?: string;
  dir?: string;
  core?: string;
  json?: boolean;
}

export async function pluginCommand(args: string[], options: PluginOptions, io: CommandIO): Promise<number> {
  const [subcommand, ...rest] = args;
  const common = options.project ? { project: options.project } : {};
  switch (subcommand) {
    case 'new':
      return pluginNewCommand(rest[0], { ...common, kind: options.kind, type: options.type, dir: options.dir, core: options.core }, io);
    case 'add':
      return pluginAddCommand(rest[0], { ...common, force: options.force }, io);
    case 'remove':
      return pluginRemoveCommand(rest[0], common, io);
    case 'list':
      return pluginListCommand({ ...common, json: options.json }, io);
    default:
      io.err(subcommand ? `flowcast plugin: unknown command "${subcommand}"\n${PLUGIN_HELP}` : PLUGIN_HELP);
      return EXIT.invalid;
  }
}
