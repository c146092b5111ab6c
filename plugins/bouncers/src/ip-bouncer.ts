import { AddressSet, inject, injectable, TOKENS, type AccessDecision, type AccessRequest, type Bouncer, type Bouncers, type Component, type PartBuilder, type PropertiesOf } from '@flowcast/core';
import type { bouncerIp } from './descriptors';

type Properties = PropertiesOf<(typeof bouncerIp)['properties']>;

/** Allow and deny lists of addresses and networks; deny wins. */
@injectable()
export default class IpBouncer implements Component, Bouncer {
  private readonly allow: AddressSet;
  private readonly deny: AddressSet;
  private readonly allowAll: boolean;

  constructor(
    @inject(TOKENS.properties) props: Properties,
    @inject(TOKENS.componentName) name: string,
    @inject(TOKENS.bouncers) bouncers: Bouncers,
  ) {
    this.allow = new AddressSet(props.allow);
    this.deny = new AddressSet(props.deny);
    this.allowAll = props.allow.length === 0;
    bouncers.register(name, this);
  }

  build(_part: PartBuilder): void {
    // No media.
  }

  async check(request: AccessRequest): Promise<AccessDecision> {
    if (this.deny.has(request.remoteAddress)) return { allow: false, status: 403, reason: `${request.remoteAddress} is denied` };
    if (!this.allowAll && !this.allow.has(request.remoteAddress)) return { allow: false, status: 403, reason: `${request.remoteAddress} is not in the allow list` };
    return { allow: true };
  }
}
