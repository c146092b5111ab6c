import Ajv, { type ValidateFunction } from 'ajv';
import type { PropertySchema } from '../api/schema';

/** Keywords Flowcast adds to JSON Schema for its own tools. */
const FLOWCAST_KEYWORDS = ['x-unit', 'x-secret', 'x-pattern-description', 'x-live'];

/**
 * Compiles property schemas. Unknown properties are always an error (as in Flumotion), so the
 * schema is closed here whatever the plugin wrote. Two validators per schema: one checks what
 * the operator wrote, the other fills in defaults for the component.
 */
export class SchemaCompiler {
  private readonly checker = newAjv(false);
  private readonly defaulter = newAjv(true);
  private readonly cache = new Map<PropertySchema, { check: ValidateFunction; fillDefaults: ValidateFunction }>();

  compile(schema: PropertySchema): { check: ValidateFunction; fillDefaults: ValidateFunction } {
    let compiled = this.cache.get(schema);
    if (!compiled) {
      const closed = { ...schema, additionalProperties: false };
      compiled = { check: this.checker.compile(closed), fillDefaults: this.defaulter.compile(closed) };
      this.cache.set(schema, compiled);
    }
    return compiled;
  }
}

function newAjv(useDefaults: boolean): Ajv {
  // verbose: an error carries the schema it failed, where x-pattern-description is.
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults, verbose: true });
  for (const keyword of FLOWCAST_KEYWORDS) ajv.addKeyword(keyword);
  return ajv;
}
