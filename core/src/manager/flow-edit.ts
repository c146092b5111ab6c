import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

/**
 * A flow file's text with new values for some of one component's properties, the rest of the
 * file (comments, order, quoting) as the operator wrote it.
 */
export function setComponentProperties(text: string, component: string, changes: Readonly<Record<string, unknown>>): string {
  const document = parseDocument(text);
  for (const [name, value] of Object.entries(changes)) document.setIn(['components', component, 'properties', name], value);
  return document.toString();
}

/** Where the previous version of a flow file is kept when the admin API changes or deletes it. */
export function previousVersionPath(file: string): string {
  return `${file}.previous`;
}

/**
 * Replace a file all at once (a temporary file renamed over it, so a crash leaves the old or the
 * new text, never half of one), keeping what it held before as FILE.previous. Flow file
 * watchers only look at *.yaml and *.yml, so neither the temporary file nor the previous version
 * is taken for a flow.
 */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(temporary, 'w', 0o644);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (fs.existsSync(file)) fs.copyFileSync(file, previousVersionPath(file));
  fs.renameSync(temporary, file);
}

/** Whether `file` lies inside `directory` (after resolving `..` and symbolic links of the directory). */
export function isInside(directory: string, file: string): boolean {
  const root = fs.realpathSync(directory);
  const relative = path.relative(root, path.resolve(root, path.relative(directory, file)));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
