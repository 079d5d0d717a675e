/**
 * Counts failed logins per key (an address or an account name) in a sliding window
 * and refuses further attempts once a key has too many, so passwords and pairing codes
 * cannot be guessed at speed and the scrypt cost cannot be used to load the gateway.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: { maxFailures: number; windowMs: number; now?: () => number }) {
    this.maxFailures = options.maxFailures;
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    const oldestCounted = recent[recent.length - this.maxFailures];
    return oldestCounted === undefined ? 0 : Math.max(0, oldestCounted + this.windowMs - this.now());
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent.slice(-this.maxFailures));
    if (this.failures.size > 10_000) this.prune();
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  private prune(): void {
    for (const key of this.failures.keys()) {
      if (this.recent(key).length === 0) this.failures.delete(key);
    }
  }
}
