import { describe, expect, it } from "vitest";
import { daysOfAutonomy } from "./days-of-autonomy.js";

describe("daysOfAutonomy", () => {
  it("turns free space into days at the current rate", () => {
    // 200 readings/s at 50 bytes each is 864 MB a day.
    expect(daysOfAutonomy(864_000_000 * 3, 50, 200)).toBeCloseTo(3, 5);
  });

  it("is unlimited while nothing arrives", () => {
    expect(daysOfAutonomy(1_000, 50, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
