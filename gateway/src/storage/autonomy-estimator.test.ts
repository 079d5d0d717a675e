import { describe, expect, it } from "vitest";
import { AutonomyEstimator } from "./autonomy-estimator.js";

describe("AutonomyEstimator", () => {
  it("converges on the ingest rate and turns free space into days", () => {
    const estimator = new AutonomyEstimator({ halfLifeMs: 1_000 });
    for (let second = 0; second <= 30; second++) estimator.observe(second * 200, second * 1_000);
    expect(estimator.readingsPerSecond).toBeCloseTo(200, 0);
    // 200 readings/s at 50 bytes each is 864 MB a day.
    expect(estimator.daysLeft(864_000_000 * 3, 50)).toBeCloseTo(3, 1);
  });

  it("reports unlimited autonomy while nothing arrives", () => {
    const estimator = new AutonomyEstimator();
    estimator.observe(0, 0);
    estimator.observe(0, 60_000);
    expect(estimator.daysLeft(1_000, 50)).toBe(Number.POSITIVE_INFINITY);
  });
});
