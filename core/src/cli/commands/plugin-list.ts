import { EXIT, type CommandIO } from '../io';

export const PLUGIN_LIST_HELP = 'Usage: flowcast plugin list';

export async function pluginListCommand(_options: unknown, io?: CommandIO): Promise<number> {
  io?.err('not implemented');
  return EXIT.failed;
}
