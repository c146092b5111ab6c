import type { PropertyFieldSchema } from '../api/schema';
import type { SchemaCompiler } from '../registry/schema-compiler';
import type { RegistryComponent } from '../registry/types';
import type { JsonSchema } from './editor-schema';

/** Keywords whose value is data (or a list of names), never a schema: copied as they are. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'required']);
/** Keywords whose value maps names (which may start with "x-") to schemas. */
const NAMED_SCHEMAS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies']);

export interface PropertiesRule {
  /** The schema of the component's `properties` map. */
  schema: JsonSchema;
  /** `properties` must be written: validate checks a missing map as `{}`, which this type refuses. */
  mustBeSet: boolean;
}

/**
 * The `properties` of one type as validate checks them: the plugin's own schema, closed as
 * SchemaCompiler closes it, with each exclusive group kept to one property. Validate reads a
 * missing or empty (`null`) map as `{}`, so null is allowed exactly when `{}` passes.
 */
export function propertiesRule(component: RegistryComponent, compiler: SchemaCompiler): PropertiesRule {
  const source = component.properties;
  const acceptsEmpty = compiler.compile(source).check({}) === true;
  const properties = Object.fromEntries(Object.entries(source.properties).map(([name, field]) => [name, fieldSchema(field)]));
  const schema: JsonSchema = {
    ...(withoutFlowcastKeywords(source) as JsonSchema),
    type: acceptsEmpty ? ['object', 'null'] : 'object',
    properties,
    additionalProperties: false,
  };
  const dependencies = exclusiveDependencies(component.exclusive, schema.dependencies);
  if (dependencies) schema.dependencies = dependencies;
  return { schema, mustBeSet: !acceptsEmpty };
}

/**
 * Each exclusive group as "when one is set, the later ones may not be": `{ a: { properties:
 * { b: false } } }` is "not both a and b". Unlike `not: { required: [a, b] }`, the editor marks
 * the second property, as validate does, and strict ajv accepts it (it refuses `required` names a
 * `not` does not define). A plugin's own `dependencies` are kept alongside.
 */
function exclusiveDependencies(groups: readonly (readonly string[])[], own: unknown): JsonSchema | undefined {
  const forbidden = new Map<string, string[]>();
  for (const group of groups) {
    group.slice(0, -1).forEach((first, i) => forbidden.set(first, [...(forbidden.get(first) ?? []), ...group.slice(i + 1)]));
  }
  if (forbidden.size === 0) return undefined;
  const dependencies: JsonSchema = { ...(own as JsonSchema | undefined) };
  for (const [first, later] of forbidden) {
    const rule = { properties: Object.fromEntries(later.map((name) => [name, false])) };
    const existing = dependencies[first];
    dependencies[first] = existing === undefined ? rule : Array.isArray(existing) ? { required: existing, ...rule } : { allOf: [existing, rule] };
  }
  return dependencies;
}

/** A property's schema with its unit moved into the description, where an editor shows it. */
function fieldSchema(field: PropertyFieldSchema): JsonSchema {
  const schema = withoutFlowcastKeywords(field) as JsonSchema;
  const unit = field['x-unit'];
  if (typeof unit === 'string') {
    const description = field.description?.replace(/\.$/, '');
    schema.description = description ? `${description}. Unit: ${unit}` : `Unit: ${unit}`;
  }
  return schema;
}

/**
 * Drop Flowcast's own keywords (`x-unit`, `x-secret`): editors ignore unknown keywords, but strict
 * validators such as ajv refuse them. Only keywords go; property names and data stay.
 */
export function withoutFlowcastKeywords(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutFlowcastKeywords);
  if (typeof schema !== 'object' || schema === null) return schema;
  const kept: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword.startsWith('x-')) continue;
    if (DATA_KEYWORDS.has(keyword)) kept[keyword] = value;
    else if (NAMED_SCHEMAS.has(keyword) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      kept[keyword] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutFlowcastKeywords(sub)]));
    } else kept[keyword] = withoutFlowcastKeywords(value);
  }
  return kept;
}
