/** How fast a bucket's tokens come back, and how many it holds at most. */
export interface TokenRate {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
  /** From then on the bucket is full again: as good as none. */
  fullAtMs: number;
}

/** Buckets kept before the full ones are dropped. */
const DROP_FULL_ABOVE = 10_000;

/**
 * A token bucket per key, each asked with the rate it has now. A full bucket is as good as
 * none, so once more than 10,000 keys have one the full ones are dropped: the map holds only
 * the keys seen lately.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes a token from the key's bucket: 0 when there was one, else the milliseconds until there is. */
  take(key: string, { perSecond, burst }: TokenRate, nowMs: number): number {
    const bucket = this.buckets.get(key);
    // A wall clock stepped back refills nothing, rather than taking tokens away.
    const elapsedMs = bucket ? Math.max(0, nowMs - bucket.atMs) : 0;
    const refilled = bucket ? Math.min(burst, bucket.tokens + (elapsedMs * perSecond) / 1_000) : burst;
    const tokens = refilled >= 1 ? refilled - 1 : refilled;
    this.buckets.set(key, { tokens, atMs: nowMs, fullAtMs: nowMs + ((burst - tokens) / perSecond) * 1_000 });
    if (this.buckets.size > DROP_FULL_ABOVE) {
      for (const [other, { fullAtMs }] of this.buckets) if (fullAtMs <= nowMs) this.buckets.delete(other);
    }
    return refilled >= 1 ? 0 : Math.ceil(((1 - refilled) / perSecond) * 1_000);
  }
}
