import fs from 'node:fs';
import path from 'node:path';
import { EDITOR_SCHEMA_FILE, flowEditorSchema, renderEditorSchema } from '../flow/editor-schema';
import type { Registry } from '../registry/registry';
import { writeFileAtomic } from '../registry/stamps';

/** A project that keeps flow.schema.json gets it rewritten when its plugins change; others are left alone. */
export function refreshEditorSchema(projectRoot: string, registry: Registry): boolean {
  const file = path.join(projectRoot, EDITOR_SCHEMA_FILE);
  if (!fs.existsSync(file)) return false;
  writeFileAtomic(file, renderEditorSchema(flowEditorSchema(registry)));
  return true;
}
