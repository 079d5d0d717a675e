import { describe, expect, it } from "vitest";
import { daysOfAutonomy, RateEstimator } from "./rate-estimator.js";

describe("RateEstimator", () => {
  it("converges on a steady rate", () => {
    const rate = new RateEstimator({ halfLifeMs: 1_000 });
    for (let second = 0; second <= 30; second++) rate.observe(second * 200, second * 1_000);
    expect(rate.perSecond).toBeCloseTo(200, 0);
  });

  it("falls back towards zero when nothing arrives", () => {
    const rate = new RateEstimator({ halfLifeMs: 1_000 });
    rate.observe(0, 0);
    rate.observe(1_000, 1_000);
    const busy = rate.perSecond;
    rate.observe(1_000, 5_000);
    expect(rate.perSecond).toBeLessThan(busy / 10);
  });
});

describe("daysOfAutonomy", () => {
  it("turns free space into days at the current rate", () => {
    // 200 readings/s at 50 bytes each is 864 MB a day.
    expect(daysOfAutonomy(864_000_000 * 3, 50, 200)).toBeCloseTo(3, 5);
  });

  it("is unlimited while nothing arrives", () => {
    expect(daysOfAutonomy(1_000, 50, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
