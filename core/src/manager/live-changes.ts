import type { ResolvedFlow } from '../flow/types';

/**
 * What an edit of a flow file changed (nothing: an empty object), when it changed only properties its components mark
 * `x-live` (changeable while running): by component, the new values. Undefined when anything
 * else changed (a component, a type, a feed, another property, the name): that needs a restart.
 * Properties are compared with defaults applied, so writing a default out changes nothing.
 */
export function liveChanges(before: ResolvedFlow, after: ResolvedFlow): Record<string, Record<string, unknown>> | undefined {
  if (before.name !== after.name || before.components.length !== after.components.length) return undefined;
  const changes: Record<string, Record<string, unknown>> = {};
  for (const next of after.components) {
    const previous = before.components.find((c) => c.name === next.name);
    if (!previous || previous.type !== next.type || JSON.stringify(previous.eats) !== JSON.stringify(next.eats)) return undefined;
    const fields = next.descriptor.properties.properties;
    for (const key of new Set([...Object.keys(previous.properties), ...Object.keys(next.properties)])) {
      if (JSON.stringify(previous.properties[key]) === JSON.stringify(next.properties[key])) continue;
      if (fields[key]?.['x-live'] !== true || !(key in next.properties)) return undefined;
      (changes[next.name] ??= {})[key] = next.properties[key];
    }
  }
  return changes; // empty when nothing that matters changed (comments, defaults written out)
}
