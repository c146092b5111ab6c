import { withoutAvailabilityNotes } from './editor-schema-describe';
import { renderEditorSchema, type JsonSchema } from './editor-schema';

export type SchemaComparison =
  | { kind: 'same' }
  /** Equal but for the notes on unavailable types, which depend on the machine. */
  | { kind: 'same-but-availability' }
  | { kind: 'stale'; differences: string[] };

/** Compare a schema file's text (undefined: no file) with the schema the registry gives now. */
export function compareEditorSchema(committedText: string | undefined, fresh: JsonSchema): SchemaComparison {
  if (committedText === undefined) return { kind: 'stale', differences: ['the file does not exist'] };
  if (committedText === renderEditorSchema(fresh)) return { kind: 'same' };
  let committed: unknown;
  try {
    committed = JSON.parse(committedText);
  } catch {
    return { kind: 'stale', differences: ['the file is not valid JSON'] };
  }
  const stable = (schema: unknown): string => JSON.stringify(withoutAvailabilityNotes(schema));
  if (stable(committed) === stable(fresh)) return { kind: 'same-but-availability' };
  const before = new Set(typeNames(committed));
  const after = new Set(typeNames(fresh));
  const differences = [
    ...[...after].filter((name) => !before.has(name)).map((name) => `component type "${name}" is missing`),
    ...[...before].filter((name) => !after.has(name)).map((name) => `component type "${name}" no longer exists`),
  ];
  return { kind: 'stale', differences: differences.length ? differences : ['the descriptions, properties or eaters of some component type changed'] };
}

/** The type names a schema file offers, tolerating any shape: an old file may be anything. */
function typeNames(schema: unknown): string[] {
  const names = (schema as { definitions?: { component?: { properties?: { type?: { enum?: unknown } } } } } | null)?.definitions?.component?.properties?.type?.enum;
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
}
