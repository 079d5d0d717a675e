export interface LoginThrottleOptions {
  /** Failures a key may have within the window before it has to wait. */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  now?: () => number;
}

/**
 * Counts failed logins per key (an address, an account, or both) and makes a key that
 * keeps failing wait longer and longer after its last failure: guessing slows to a crawl,
 * and the scrypt cost cannot be used to load the gateway, while a key that stops failing is
 * never locked out for long.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly options: LoginThrottleOptions;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    const beyondFree = recent.length - this.options.freeFailures;
    const last = recent.at(-1);
    if (beyondFree < 0 || last === undefined) return 0;
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** beyondFree);
    return Math.max(0, last + delayMs - this.now());
  }

  /** Failures of `key` within the window. */
  failureCount(key: string): number {
    return this.recent(key).length;
  }

  fail(key: string): void {
    this.failures.set(key, [...this.recent(key), this.now()]);
    if (this.failures.size > 10_000) this.prune();
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.options.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  private prune(): void {
    for (const key of this.failures.keys()) {
      if (this.recent(key).length === 0) this.failures.delete(key);
    }
  }
}
