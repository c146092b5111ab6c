import fs from 'node:fs';
import path from 'node:path';
import { compareEditorSchema } from '../../flow/editor-schema-compare';
import { EDITOR_SCHEMA_FILE, flowEditorSchema, renderEditorSchema } from '../../flow/editor-schema';
import { writeFileAtomic } from '../../registry/stamps';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot, loadRegistry } from '../project';

export const SCHEMA_HELP = `Usage: flowcast schema [--out FILE] [--check]

Write the JSON Schema (draft-07) of flow files, built from this project's registry, so an editor
completes and checks flows: component names and types, each type's properties and eaters. The
YAML extension of VS Code (and other editors using the YAML language server) reads it from a
first line such as
  # yaml-language-server: $schema=../flow.schema.json
Feeds, cycles and media types are checked by \`flowcast validate\` only.

  --out FILE   where to write it (default: ${EDITOR_SCHEMA_FILE} in the project directory);
               - prints it
  --check      compare with the file without writing it; exit 1 when stale`;

export function schemaCommand(options: { project?: string; out?: string; check?: boolean }, io: CommandIO): number {
  if (options.check && options.out === '-') {
    io.err('flowcast schema: --check compares with a file, not with stdout (flowcast schema --help)');
    return EXIT.invalid;
  }
  const root = findProjectRoot(options.project, io.cwd);
  // --check writes nothing, not even the registry cache.
  const registry = loadRegistry(root, io.env, options.check ? { write: false } : {});
  const schema = flowEditorSchema(registry);
  const text = renderEditorSchema(schema);
  if (options.out === '-') {
    io.out(text.slice(0, -1));
    return EXIT.ok;
  }
  const file = options.out === undefined ? path.join(root, EDITOR_SCHEMA_FILE) : path.resolve(io.cwd, options.out);
  const shown = path.relative(io.cwd, file) || file;
  const count = registry.list().length;
  const types = `${count} component type${count === 1 ? '' : 's'}`;
  const read = readIfExists(file);
  if ('error' in read) {
    io.err(`flowcast schema: cannot read ${shown}: ${read.error}`);
    return EXIT.failed;
  }
  const current = read.text;
  if (options.check) {
    const comparison = compareEditorSchema(current, schema);
    if (comparison.kind === 'same') io.out(`${shown} is up to date (${types})`);
    else if (comparison.kind === 'same-but-availability') io.out(`${shown} is up to date (${types}; only the notes on unavailable types differ, and they depend on the machine)`);
    else {
      for (const difference of comparison.differences) io.err(`${shown} is stale: ${difference}`);
      const fix = options.out === undefined ? `run \`npm run registry\` (or \`npx flowcast schema\`) and commit ${EDITOR_SCHEMA_FILE}` : `run \`flowcast schema --out ${options.out}\``;
      io.err(`FC_REGISTRY_STALE: ${shown} does not match the registry. Fix: ${fix}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  }
  if (current === text) {
    io.out(`${shown} is up to date (${types})`);
    return EXIT.ok;
  }
  writeFileAtomic(file, text);
  io.out(`wrote ${shown} (${types})`);
  return EXIT.ok;
}

/** A missing file is normal (the first run); any other read error is the operator's to fix. */
function readIfExists(file: string): { text: string | undefined } | { error: string } {
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { text: undefined } : { error: (error as Error).message };
  }
}
