import { describe, expect, it } from "vitest";
import { RateLimit } from "./rate-limit.js";

describe("rate limit", () => {
  it("allows a burst, then the sustained rate, per key", () => {
    let now = 0;
    const limit = new RateLimit({ perSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3, 4].map(() => limit.take("a"))).toEqual([true, true, true, false]);
    expect(limit.take("b")).toBe(true);
    now += 500;
    expect(limit.take("a")).toBe(true);
    expect(limit.take("a")).toBe(false);
  });
});
