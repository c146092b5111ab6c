import type { ResolvedFlow } from '../flow/types';

/** A resource one component of one flow holds (an HTTP port and mount path). */
export interface HeldClaim {
  readonly key: string;
  readonly description: string;
  readonly component: string;
}

/** Every claim of a flow, as comparable keys. */
export function claimsOf(flow: ResolvedFlow): HeldClaim[] {
  const held: HeldClaim[] = [];
  for (const component of flow.components) {
    for (const claim of component.descriptor.claims) {
      const values = claim.properties.map((p) => component.properties[p]);
      held.push({
        key: `${claim.resource}:${values.map((v) => JSON.stringify(v)).join(' ')}`,
        description: `${claim.resource} with ${claim.properties.map((p, i) => `${p} ${JSON.stringify(values[i])}`).join(' and ')}`,
        component: component.name,
      });
    }
  }
  return held;
}

/**
 * Why `flow` cannot run beside `others` (the first conflict), or undefined. Flows share ports
 * (the manager's porter routes each connection by its mount), so only an equal claim conflicts.
 */
export function claimConflict(flow: ResolvedFlow, others: readonly ResolvedFlow[]): string | undefined {
  const mine = claimsOf(flow);
  for (const other of others) {
    for (const theirs of claimsOf(other)) {
      const same = mine.find((c) => c.key === theirs.key);
      if (same) return `${same.description} (component "${same.component}") is already taken by component "${theirs.component}" of flow "${other.name}" in ${other.file}`;
    }
  }
  return undefined;
}
