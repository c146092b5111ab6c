import type { ResolvedFlow } from '../flow/types';

/** A resource one component of one flow holds (an HTTP port and mount path). */
export interface HeldClaim {
  readonly key: string;
  readonly description: string;
  /** The port, when the claim names one: flows do not share a port until the porter exists. */
  readonly port?: number;
  readonly component: string;
}

/** Every claim of a flow, as comparable keys. */
export function claimsOf(flow: ResolvedFlow): HeldClaim[] {
  const held: HeldClaim[] = [];
  for (const component of flow.components) {
    for (const claim of component.descriptor.claims) {
      const values = claim.properties.map((p) => component.properties[p]);
      const port = claim.properties.includes('port') ? Number(component.properties.port) : undefined;
      held.push({
        key: `${claim.resource}:${values.map((v) => JSON.stringify(v)).join(' ')}`,
        description: `${claim.resource} with ${claim.properties.map((p, i) => `${p} ${JSON.stringify(values[i])}`).join(' and ')}`,
        ...(port !== undefined ? { port } : {}),
        component: component.name,
      });
    }
  }
  return held;
}

/**
 * Why `flow` cannot run beside `others` (the first conflict), or undefined. Each worker serves
 * its own ports for now, so two flows on one port conflict even at different mounts.
 */
export function claimConflict(flow: ResolvedFlow, others: readonly ResolvedFlow[]): string | undefined {
  const mine = claimsOf(flow);
  for (const other of others) {
    for (const theirs of claimsOf(other)) {
      const same = mine.find((c) => c.key === theirs.key);
      if (same) return `${same.description} (component "${same.component}") is already taken by component "${theirs.component}" of flow "${other.name}" in ${other.file}`;
      const samePort = mine.find((c) => c.port !== undefined && c.port === theirs.port);
      if (samePort) return `port ${samePort.port} (component "${samePort.component}") is already served by flow "${other.name}" in ${other.file}; under flowcast serve each flow needs its own port for now`;
    }
  }
  return undefined;
}
