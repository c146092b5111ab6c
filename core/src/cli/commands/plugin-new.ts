// Placeholder: replaced by the `flowcast plugin new` implementation.
import { EXIT, type CommandIO } from '../io';

export const PLUGIN_NEW_HELP = 'Usage: flowcast plugin new NAME [--kind KIND] [--type TYPE] [--dir DIR] [--core SPEC]';

export interface PluginNewOptions {
  project?: string;
  kind?: string;
  type?: string;
  dir?: string;
  core?: string;
}

export async function pluginNewCommand(_name: string | undefined, _options: PluginNewOptions, io: CommandIO): Promise<number> {
  io.err('flowcast plugin new: not implemented yet');
  return EXIT.failed;
}
