import { describe, expect, it } from "vitest";
import { RateEstimator } from "./rate-estimator.js";

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
