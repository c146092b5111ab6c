import type { ErrorObject } from 'ajv';
import { componentPath, type CheckContext, type TypedComponents } from './context';
import type { PropertyFieldSchema } from '../../api/schema';

/**
 * Properties are checked against the component's JSON Schema as the operator wrote them, then
 * completed with defaults. Returns the completed properties of every component that passed.
 */
export function checkProperties(ctx: CheckContext, typed: TypedComponents): Map<string, Record<string, unknown>> {
  const completed = new Map<string, Record<string, unknown>>();
  for (const component of ctx.source.components) {
    const descriptor = typed.get(component.name);
    if (!descriptor) continue;
    const { check, fillDefaults } = ctx.compiler.compile(descriptor.properties);
    const fix = `run \`flowcast inspect ${descriptor.type}\` to see the properties it takes`;
    let ok = true;
    if (!check(component.properties)) {
      ok = false;
      for (const error of check.errors ?? []) reportSchemaError(ctx, component.name, error, component.properties, fix);
    }
    for (const group of descriptor.exclusive) {
      const set = group.filter((name) => component.properties[name] !== undefined);
      if (set.length > 1) {
        ok = false;
        ctx.reporter.report('FC_PROPERTY_INVALID', `set only one of ${group.map((n) => `"${n}"`).join(' or ')}, not both`, componentPath(component.name, 'properties', set[1] as string), {
          component: component.name,
          property: set[1],
          at: 'key',
          fix: `remove "${set[1]}" or "${set[0]}"`,
        });
      }
    }
    if (!ok) continue;
    const withDefaults = structuredClone(component.properties);
    fillDefaults(withDefaults);
    completed.set(component.name, withDefaults);
  }
  return completed;
}

function reportSchemaError(ctx: CheckContext, component: string, error: ErrorObject, given: Record<string, unknown>, fix: string): void {
  const segments = error.instancePath.split('/').slice(1).map(decodePointer);
  const base = componentPath(component, 'properties');
  if (error.keyword === 'additionalProperties') {
    const name = String(error.params.additionalProperty);
    const descriptor = ctx.registry.find(ctx.source.components.find((c) => c.name === component)?.type ?? '');
    const known = Object.keys(descriptor?.properties.properties ?? {}).join(', ');
    ctx.reporter.report('FC_PROPERTY_INVALID', `unknown property "${name}" (this component takes: ${known || 'no properties'})`, [...base, ...segments, name], {
      component,
      property: name,
      at: 'key',
      fix,
    });
    return;
  }
  if (error.keyword === 'required') {
    const name = String(error.params.missingProperty);
    ctx.reporter.report('FC_PROPERTY_INVALID', `required property "${name}" is missing`, segments.length ? [...base, ...segments] : base, { component, property: name, fix });
    return;
  }
  const property = segments[0] ?? '';
  const value = segments.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], given);
  ctx.reporter.report('FC_PROPERTY_INVALID', `${describeExpectation(error)} (got ${JSON.stringify(value)})`, [...base, ...segments], { component, property, fix });
}

/** What a property's value must be, in words, from one ajv error. */
export function describeExpectation(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be of type ${String(p.type)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'pattern': {
      const inWords = (error.parentSchema as PropertyFieldSchema | undefined)?.['x-pattern-description'];
      return typeof inWords === 'string' ? `must be ${inWords}` : `must match the pattern ${String(p.pattern)}`;
    }
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
