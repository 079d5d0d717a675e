import { TokenBuckets, type TokenRate } from "@intelledger/service-kit";

/** A token bucket per key: `perSecond` sustained, `burst` at once, on the wall clock unless told otherwise. */
export class RateLimit {
  private readonly buckets = new TokenBuckets();
  private readonly rate: TokenRate;
  private readonly now: () => number;

  constructor(options: { perSecond: number; burst: number; now?: () => number }) {
    this.rate = { perSecond: options.perSecond, burst: options.burst };
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `key`; false when it has none left. */
  take(key = ""): boolean {
    return this.buckets.take(key, this.rate, this.now()) === 0;
  }
}
