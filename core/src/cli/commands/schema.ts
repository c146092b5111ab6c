// Placeholder: replaced by the `flowcast schema` implementation.
import { EXIT, type CommandIO } from '../io';

export const SCHEMA_HELP = 'Usage: flowcast schema [--out FILE] [--check]';

export function schemaCommand(_options: { project?: string; out?: string; check?: boolean }, io: CommandIO): number {
  io.err('flowcast schema: not implemented yet');
  return EXIT.failed;
}
