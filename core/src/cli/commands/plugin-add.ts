import { EXIT, type CommandIO } from '../io';

export const PLUGIN_ADD_HELP = 'Usage: flowcast plugin add';

export async function pluginAddCommand(_spec: unknown, _options: unknown, io?: CommandIO): Promise<number> {
  io?.err('not implemented');
  return EXIT.failed;
}
