import type { EaterSpec, FeederSpec } from '../api/component';
import { qualifiedName } from '../registry/registry';
import type { RegistryComponent } from '../registry/types';

/**
 * Starts the last paragraph of an unavailable type's description. Availability depends on the
 * GStreamer elements of the machine that ran `flowcast schema`, so `--check` ignores these notes,
 * as `registry --check` ignores `available` and `reason`.
 */
export const UNAVAILABLE_NOTE = 'Unavailable on the machine that generated this schema: ';

export interface TypeDescription {
  plain: string;
  markdown: string;
}

/** What an editor shows next to a component type: kind, package, description, eaters, feeders. */
export function describeType(component: RegistryComponent): TypeDescription {
  const note = component.available ? [] : [`${UNAVAILABLE_NOTE}${component.reason ?? 'unknown reason'}`];
  const eaters = component.eaters.map((e) => `eats \`${e.name}\`: ${e.accepts.join(', ')}${eaterTraits(e)}`);
  const feeders = component.feeders.map((f) => `feeds \`${f.name}\`: ${f.produces.join(', ')}${feederTraits(f)}`);
  const pads = [...(eaters.length ? eaters : ['eats nothing']), ...(feeders.length ? feeders : ['feeds nothing'])];
  const markdown = [`**${component.kind}** from \`${component.package}\` (\`${qualifiedName(component)}\`)`, component.description, pads.map((line) => `- ${line}`).join('\n'), ...note];
  const plain = [`${component.kind} from ${component.package}: ${component.description}`, pads.map((line) => line.replace(/`/g, '')).join('; '), ...note];
  return { plain: plain.join('\n\n'), markdown: markdown.join('\n\n') };
}

/** One eater of a type, for the `eats` map of that type. */
export function describeEater(eater: EaterSpec): string {
  return `Eater "${eater.name}": accepts ${eater.accepts.join(', ')}${eaterTraits(eater)}`;
}

function eaterTraits(eater: EaterSpec): string {
  const traits = [eater.multiple ? 'several feeds' : 'one feed', ...(eater.required === false ? ['optional'] : []), ...(eater.description ? [eater.description] : [])];
  return ` (${traits.join(', ')})`;
}

function feederTraits(feeder: FeederSpec): string {
  return feeder.description ? ` (${feeder.description})` : '';
}

/**
 * The schema with every availability note cut off, so two schemas generated on machines with
 * different GStreamer elements compare equal.
 */
export function withoutAvailabilityNotes(value: unknown): unknown {
  if (typeof value === 'string') {
    const at = value.indexOf(`\n\n${UNAVAILABLE_NOTE}`);
    return at < 0 ? value : value.slice(0, at);
  }
  if (Array.isArray(value)) return value.map(withoutAvailabilityNotes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withoutAvailabilityNotes(entry)]));
}
