import type { RateLimit } from "../store/gateway-access.js";

interface Bucket {
  tokens: number;
  atMs: number;
  /** From then on the bucket is full again: as good as none. */
  fullAtMs: number;
}

/** Buckets kept before the full ones are dropped. */
const SWEEP_ABOVE = 10_000;

/**
 * Token buckets, one per gateway: a batch takes a token; tokens come back at the gateway's
 * rate up to its burst. Kept in this replica's memory, so each replica holds a gateway to its
 * limit on the uploads it takes.
 */
export class GatewayRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes a token for one batch: 0 when there was one, else the milliseconds until there is. */
  take(gatewayId: string, limit: RateLimit, nowMs: number): number {
    const bucket = this.buckets.get(gatewayId);
    const { batchesPerSecond, burst } = limit;
    const refilled = bucket ? Math.min(burst, bucket.tokens + ((nowMs - bucket.atMs) / 1_000) * batchesPerSecond) : burst;
    const tokens = refilled >= 1 ? refilled - 1 : refilled;
    this.buckets.set(gatewayId, { tokens, atMs: nowMs, fullAtMs: nowMs + ((burst - tokens) / batchesPerSecond) * 1_000 });
    if (this.buckets.size > SWEEP_ABOVE) {
      for (const [id, { fullAtMs }] of this.buckets) if (fullAtMs <= nowMs) this.buckets.delete(id);
    }
    return refilled >= 1 ? 0 : Math.ceil(((1 - refilled) / batchesPerSecond) * 1_000);
  }
}
