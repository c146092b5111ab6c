import { FlowcastError } from '../errors/flowcast-error';
import type { Role, TokenIdentity, TokenStore } from './tokens';

/** Failures an address may make before its requests are slowed down. */
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 5000;
/** An address's failures are forgotten after this long without one. */
const FORGET_AFTER_MS = 10 * 60_000;
const MAX_ADDRESSES = 10_000;

/**
 * Checks the Bearer token of each admin request. A missing, unknown or wrong token is 401 with the
 * same message whatever the reason (nothing for a guesser to learn); an address that keeps
 * failing waits longer and longer (up to 5 s) before each of its requests is looked at.
 */
export class AuthGate {
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(private readonly tokens: TokenStore) {}

  async check(authorization: string, address: string, role: Role, localMetrics: boolean): Promise<TokenIdentity | undefined> {
    if (localMetrics && !authorization) return undefined;
    await this.slowDown(address);
    const match = /^Bearer ([!-~]{1,200})$/.exec(authorization);
    const identity = match ? await this.tokens.verify(match[1]!) : undefined;
    if (!identity) {
      this.fail(address);
      throw new FlowcastError('FC_ADMIN_AUTH', 'a valid token is needed');
    }
    this.failures.delete(address);
    if (role === 'admin' && identity.role !== 'admin') throw new FlowcastError('FC_ADMIN_FORBIDDEN', 'this needs a token with the admin role');
    return identity;
  }

  private async slowDown(address: string): Promise<void> {
    const record = this.failures.get(address);
    if (!record) return;
    if (Date.now() - record.last > FORGET_AFTER_MS) {
      this.failures.delete(address);
      return;
    }
    const over = record.count - FREE_FAILURES;
    if (over <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_DELAY_MS, 100 * 2 ** Math.min(over, 10))));
  }

  private fail(address: string): void {
    const record = this.failures.get(address) ?? { count: 0, last: 0 };
    record.count++;
    record.last = Date.now();
    this.failures.delete(address);
    this.failures.set(address, record); // most recent last, so the oldest goes first when full
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }
}
