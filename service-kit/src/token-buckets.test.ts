import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./token-buckets.js";

const RATE = { perSecond: 2, burst: 3 };

/** Keys enough that the map holds `count` buckets, none of them full at `nowMs`. */
function fill(buckets: TokenBuckets, count: number, nowMs: number): void {
  for (let i = 0; i < count; i++) buckets.take(`other-${i}`, RATE, nowMs);
}

describe("token buckets", () => {
  it("lets a burst through at once, then a token as each comes back, telling how long to wait", () => {
    const buckets = new TokenBuckets();
    expect([1, 2, 3, 4].map(() => buckets.take("a", RATE, 1_000))).toEqual([0, 0, 0, 500]);
    expect(buckets.take("a", RATE, 1_250)).toBe(250);
    expect(buckets.take("a", RATE, 1_500)).toBe(0);
    expect(buckets.take("a", RATE, 1_500)).toBe(500);
    // Another key has a bucket of its own.
    expect(buckets.take("b", RATE, 1_500)).toBe(0);
    // Tokens come back no further than the burst.
    expect([1, 2, 3, 4].map(() => buckets.take("a", RATE, 60_000))).toEqual([0, 0, 0, 500]);
  });

  it("takes no tokens away when the clock steps back", () => {
    const buckets = new TokenBuckets();
    expect(buckets.take("a", RATE, 10_000)).toBe(0);
    // The clock steps back an hour: the bucket keeps the two tokens it had.
    expect([1, 2, 3].map(() => buckets.take("a", RATE, 10_000 - 3_600_000))).toEqual([0, 0, 500]);
  });

  it("takes fractional rates", () => {
    const buckets = new TokenBuckets();
    const slow = { perSecond: 0.5, burst: 1 };
    expect(buckets.take("a", slow, 0)).toBe(0);
    expect(buckets.take("a", slow, 0)).toBe(2_000);
    expect(buckets.take("a", slow, 2_000)).toBe(0);
  });

  // A dropped bucket starts again at the burst of the rate it is next asked with; a kept one
  // holds only what came back since it was last taken from.
  const wider = { perSecond: 1, burst: 5 };

  it("keeps a full bucket while 10,000 keys or fewer have one", () => {
    const buckets = new TokenBuckets();
    buckets.take("full", { perSecond: 1, burst: 1 }, 0);
    fill(buckets, 9_999, 1_000);
    expect([1, 2].map(() => buckets.take("full", wider, 1_000))).toEqual([0, 1_000]);
  });

  it("drops the full buckets once more than 10,000 keys have one, keeping the others' state", () => {
    const buckets = new TokenBuckets();
    buckets.take("full", { perSecond: 1, burst: 1 }, 0);
    const draining = { perSecond: 0.001, burst: 2 };
    expect([1, 2].map(() => buckets.take("draining", draining, 0))).toEqual([0, 0]);
    fill(buckets, 9_999, 1_000);
    expect([1, 2, 3, 4, 5, 6].map(() => buckets.take("full", wider, 1_000))).toEqual([0, 0, 0, 0, 0, 1_000]);
    expect(buckets.take("draining", draining, 1_000)).toBe(999_000);
  });
});
