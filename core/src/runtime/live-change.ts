import type { ResolvedComponent } from '../flow/types';
import { describeExpectation } from '../flow/checks/properties';
import { FlowcastError } from '../errors/flowcast-error';
import type { SchemaCompiler } from '../registry/schema-compiler';

/** A checked change of a running component's properties: what changes, from what, to what. */
export interface LiveChange {
  /** The changed properties with their new values. */
  readonly changes: Readonly<Record<string, unknown>>;
  /** The same properties with the values they had, to put back if applying fails. */
  readonly previous: Readonly<Record<string, unknown>>;
  /** Every property of the component once the change is made. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * Check a change of a running component's properties before anything is applied: every property
 * exists, may change while running (`x-live`), and the whole set still passes the component's
 * schema. Values equal to the current ones are left out.
 */
export function planLiveChange(component: ResolvedComponent, requested: Readonly<Record<string, unknown>>, compiler: SchemaCompiler): LiveChange {
  const where = { component: component.name };
  const fields = component.descriptor.properties.properties;
  const known = Object.keys(fields);
  for (const name of Object.keys(requested)) {
    if (!Object.hasOwn(fields, name)) {
      throw new FlowcastError('FC_PROPERTY_INVALID', `component "${component.name}" (${component.type}) has no property "${name}" (it takes: ${known.join(', ') || 'none'})`, {
        location: { ...where, property: name },
      });
    }
    if (fields[name]!['x-live'] !== true) {
      const live = known.filter((k) => fields[k]!['x-live'] === true);
      throw new FlowcastError('FC_PROPERTY_NOT_LIVE', `property "${name}" of component "${component.name}" (${component.type}) needs a restart of the flow to change${live.length ? ` (it changes live: ${live.join(', ')})` : ''}`, {
        location: { ...where, property: name },
      });
    }
  }
  const properties = { ...component.properties, ...requested };
  const { check } = compiler.compile(component.descriptor.properties);
  if (!check(properties)) {
    const error = check.errors![0]!;
    const property = error.instancePath.split('/')[1] ?? String(error.params.missingProperty ?? '');
    throw new FlowcastError('FC_PROPERTY_INVALID', `property "${property}" of component "${component.name}": ${describeExpectation(error)} (got ${JSON.stringify(properties[property])})`, {
      location: { ...where, property },
      fix: `run \`flowcast inspect ${component.type}\` to see the properties it takes`,
    });
  }
  const changes: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(requested)) {
    if (JSON.stringify(value) === JSON.stringify(component.properties[name])) continue;
    changes[name] = value;
    previous[name] = component.properties[name];
  }
  return { changes, previous, properties };
}
