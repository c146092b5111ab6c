/**
 * When to try again after a failure: 1 s, 2 s, 4 s … at most 60 s, each with up to 10 % jitter so
 * that many flows failing together do not retry in step; back to the first wait once the thing
 * has been happy for `resetAfterMs`. Forever: it never gives up, it only waits longer.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;
  /** Fraction of the wait added at random (default 0.1). */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  private failures = 0;
  private happySince?: number;

  constructor(private readonly options: BackoffOptions) {}

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** It works now (monotonic ms): the wait resets once this lasts `resetAfterMs`. */
  happy(now: number): void {
    this.happySince ??= now;
  }

  /** It failed at `now`: how long to wait before the next attempt. */
  next(now: number): number {
    if (this.happySince !== undefined && now - this.happySince >= this.options.resetAfterMs) this.failures = 0;
    this.happySince = undefined;
    const base = Math.min(this.options.maxMs, this.options.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const jitter = (this.options.jitter ?? 0.1) * base * (this.options.random ?? Math.random)();
    return Math.round(base + jitter);
  }
}
