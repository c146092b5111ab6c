import { COMPONENT_KINDS } from '../api/component';
import type { PropertySchema } from '../api/schema';
import { debianPackageFor } from './debian-packages';
import type { SchemaCompiler } from './schema-compiler';
import type { ElementRequirement, RegistryComponent } from './types';

export const TYPE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const PROPERTY_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Turns what a manifest module exported into registry entries, one small check at a time.
 * Returns the entry, or the list of what is wrong with the descriptor.
 */
export function checkDescriptor(
  raw: unknown,
  pkg: { name: string; version: string; directory: string },
  compiler: SchemaCompiler,
  relative: (absolute: string) => string,
): { entry?: Omit<RegistryComponent, 'available' | 'reason'>; problems: string[] } {
  const d = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const where = typeof d.type === 'string' ? `component "${d.type}"` : 'a component';
  const need = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(`${where}: ${problem}`);
  };

  need(typeof d.type === 'string' && TYPE_NAME.test(d.type), 'type must be kebab-case (e.g. "encoder-vorbis")');
  need(COMPONENT_KINDS.includes(d.kind as never), `kind must be one of ${COMPONENT_KINDS.join(', ')}`);
  need(typeof d.description === 'string' && d.description.length > 0, 'description is required');
  need(isPadList(d.eaters, 'accepts'), 'eaters must be a list of { name, accepts: [media types] }');
  need(isPadList(d.feeders, 'produces'), 'feeders must be a list of { name, produces: [media types] }');
  need(typeof d.implementation === 'string', 'implementation must name the module of the component class');
  const elements = toRequirements(d.elements);
  need(elements !== undefined, 'elements must list GStreamer element names');
  problems.push(...checkSchema(d.properties, compiler).map((p) => `${where}: ${p}`));
  if (problems.length > 0) return { problems };

  return {
    problems,
    entry: {
      type: d.type as string,
      package: pkg.name,
      version: pkg.version,
      kind: d.kind as RegistryComponent['kind'],
      description: d.description as string,
      eaters: d.eaters as RegistryComponent['eaters'],
      feeders: d.feeders as RegistryComponent['feeders'],
      properties: d.properties as PropertySchema,
      elements: elements as ElementRequirement[],
      claims: (d.claims as RegistryComponent['claims']) ?? [],
      exclusive: (d.exclusive as string[][]) ?? [],
      implementation: relative(d.implementation as string),
    },
  };
}

function isPadList(value: unknown, mediaKey: 'accepts' | 'produces'): boolean {
  return (
    Array.isArray(value) &&
    value.every((pad) => typeof pad?.name === 'string' && Array.isArray(pad[mediaKey]) && pad[mediaKey].length > 0)
  );
}

function toRequirements(value: unknown): ElementRequirement[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const requirements: ElementRequirement[] = [];
  for (const need of value) {
    if (typeof need === 'string') requirements.push(withDebian({ element: need }));
    else if (typeof need?.element === 'string' && need.bundled === true) requirements.push({ element: need.element, bundled: true });
    else if (typeof need?.element === 'string') requirements.push(withDebian({ element: need.element, debian: need.debian }));
    else return undefined;
  }
  return requirements;
}

function withDebian(requirement: ElementRequirement): ElementRequirement {
  const debian = requirement.debian ?? debianPackageFor(requirement.element);
  return debian ? { element: requirement.element, debian } : { element: requirement.element };
}

/** The property schema must be an object schema with kebab-case names that compiles with ajv. */
export function checkSchema(schema: unknown, compiler: SchemaCompiler): string[] {
  const s = schema as PropertySchema | undefined;
  if (!s || s.type !== 'object' || typeof s.properties !== 'object') {
    return ['properties must be a JSON Schema { type: "object", properties: { … } }'];
  }
  const problems = Object.keys(s.properties)
    .filter((name) => !PROPERTY_NAME.test(name))
    .map((name) => `property "${name}" must be kebab-case`);
  try {
    compiler.compile(s);
  } catch (error) {
    problems.push(`property schema does not compile: ${(error as Error).message}`);
  }
  return problems;
}
