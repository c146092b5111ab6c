import { EXIT, type CommandIO } from '../io';

export const PLUGIN_REMOVE_HELP = 'Usage: flowcast plugin remove';

export async function pluginRemoveCommand(_spec: unknown, _options: unknown, io?: CommandIO): Promise<number> {
  io?.err('not implemented');
  return EXIT.failed;
}
