import type { CheckContext, TypedComponents } from './context';
import { componentPath } from './context';

/** Two components may not hold the same claim, such as one HTTP port and mount path. */
export function checkClaims(ctx: CheckContext, typed: TypedComponents, properties: ReadonlyMap<string, Record<string, unknown>>): void {
  const holders = new Map<string, string>();
  for (const component of ctx.source.components) {
    const descriptor = typed.get(component.name);
    const values = properties.get(component.name);
    if (!descriptor || !values) continue;
    for (const claim of descriptor.claims) {
      const key = `${claim.resource}:${claim.properties.map((p) => JSON.stringify(values[p])).join(' ')}`;
      const holder = holders.get(key);
      if (holder === undefined) {
        holders.set(key, component.name);
        continue;
      }
      const what = claim.properties.map((p) => `${p} ${JSON.stringify(values[p])}`).join(' and ');
      const last = claim.properties[claim.properties.length - 1];
      ctx.reporter.report('FC_CLAIM_CONFLICT', `${claim.resource} with ${what} is already taken by component "${holder}"`, componentPath(component.name, 'properties', ...(last && component.properties[last] !== undefined ? [last] : [])), {
        component: component.name,
        ...(last ? { property: last } : {}),
      });
    }
  }
}
