import { describe, expect, it } from "vitest";
import { GatewayRateLimiter } from "./rate-limiter.js";

describe("per-gateway rate limits", () => {
  it("lets a burst through, then one batch per token as tokens come back, telling how long to wait", () => {
    const limiter = new GatewayRateLimiter();
    const limit = { batchesPerSecond: 2, burst: 3 };
    expect([0, 0, 0].map(() => limiter.take("a", limit, 1_000))).toEqual([0, 0, 0]);
    expect(limiter.take("a", limit, 1_000)).toBe(500);
    expect(limiter.take("a", limit, 1_250)).toBe(250);
    expect(limiter.take("a", limit, 1_500)).toBe(0);
    // Another gateway has a bucket of its own.
    expect(limiter.take("b", limit, 1_500)).toBe(0);
    // Tokens come back no further than the burst.
    expect([0, 0, 0, 0].map(() => limiter.take("a", limit, 60_000))).toEqual([0, 0, 0, 500]);
  });

  it("takes fractional rates", () => {
    const limiter = new GatewayRateLimiter();
    const limit = { batchesPerSecond: 0.5, burst: 1 };
    expect(limiter.take("a", limit, 0)).toBe(0);
    expect(limiter.take("a", limit, 0)).toBe(2_000);
    expect(limiter.take("a", limit, 2_000)).toBe(0);
  });
});
