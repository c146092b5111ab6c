import type { Bouncer, Bouncers } from '../api/access';

/** One per flow: bouncers register at creation, mounts look them up when they start. */
export class BouncerRegistry implements Bouncers {
  private readonly byName = new Map<string, Bouncer>();

  register(name: string, bouncer: Bouncer): void {
    this.byName.set(name, bouncer);
  }

  get(name: string): Bouncer | undefined {
    return this.byName.get(name);
  }
}
