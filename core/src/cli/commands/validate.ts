import path from 'node:path';
import { formatDiagnostic } from '../../flow/reporter';
import { validateFlowFile } from '../../flow/validate';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot, loadRegistry } from '../project';

export const VALIDATE_HELP = `Usage: flowcast validate FILE...

Check flow files without starting anything. Every problem is reported, each as
FILE:LINE:COL: error CODE component "NAME" property "NAME": what is wrong. Fix: what to do.

Exit status: 0 when every file is valid (warnings allowed), 2 otherwise.`;

export function validateCommand(files: string[], options: { project?: string }, io: CommandIO): number {
  if (files.length === 0) {
    io.err('flowcast validate: name at least one flow file (flowcast validate --help)');
    return EXIT.invalid;
  }
  const registry = loadRegistry(findProjectRoot(options.project, io.cwd), io.env);
  let errors = 0;
  for (const file of files) {
    const shown = path.relative(io.cwd, path.resolve(io.cwd, file)) || file;
    const result = validateFlowFile(shown, registry);
    for (const diagnostic of result.diagnostics) io.err(formatDiagnostic(diagnostic));
    const count = result.diagnostics.filter((d) => d.severity === 'error').length;
    errors += count;
    io.out(count === 0 ? `${shown}: valid` : `${shown}: ${count} error${count > 1 ? 's' : ''}`);
  }
  return errors === 0 ? EXIT.ok : EXIT.invalid;
}
