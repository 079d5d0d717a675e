interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

/**
 * A token bucket per key: `perSecond` sustained, `burst` at once. Keys that have refilled
 * completely are forgotten, so the map holds only keys seen lately.
 */
export class RateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(options: { perSecond: number; burst: number; now?: () => number }) {
    this.perSecond = options.perSecond;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `key`; false when it has none left. */
  take(key = ""): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, refilledAtMs: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.refilledAtMs) * this.perSecond) / 1000);
    bucket.refilledAtMs = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return true;
  }

  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.refilledAtMs) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
  }
}
