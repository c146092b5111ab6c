import type { AccessDecision, AccessRequest, Bouncer, Bouncers } from '../api/access';
import type { Logger } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';

/**
 * The bouncer a mount's `bouncer` property names, or undefined when it names none. Call it in
 * preflight: a name the flow does not have is an error there, before anything starts.
 */
export function bouncerNamed(bouncers: Bouncers, name: string | undefined): Bouncer | undefined {
  if (!name) return undefined;
  const bouncer = bouncers.get(name);
  if (!bouncer) {
    throw new FlowcastError('FC_PREFLIGHT', `no bouncer "${name}" in this flow`, {
      fix: 'add a component of kind bouncer (bouncer-htpasswd, bouncer-signed-url, bouncer-jwt, bouncer-ip, bouncer-http) with that name, or remove `bouncer`',
      location: { property: 'bouncer' },
    });
  }
  return bouncer;
}

/**
 * What the bouncer says of a request (no bouncer: anyone may). A refusal is logged with its reason;
 * a bouncer that fails refuses, and the log says why.
 */
export async function askBouncer(bouncer: Bouncer | undefined, request: AccessRequest, log: Logger): Promise<AccessDecision> {
  if (!bouncer) return { allow: true };
  try {
    const decision = await bouncer.check(request);
    if (!decision.allow) log.info('request refused', { client: request.remoteAddress, path: request.path, status: decision.status, reason: decision.reason });
    return decision;
  } catch (error) {
    log.error(`the bouncer failed: ${(error as Error).message}`);
    return { allow: false, status: 403, reason: 'the bouncer failed' };
  }
}
