import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./login-throttle.js";

describe("login throttle", () => {
  it("lets a key fail a few times, then makes it wait longer after each further failure", () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({
      freeFailures: 2,
      baseDelayMs: 1_000,
      maxDelayMs: 8_000,
      windowMs: 600_000,
      now: () => now,
    });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      now += throttle.retryAfterMs("ip:10.0.0.9");
      throttle.fail("ip:10.0.0.9");
      waits.push(throttle.retryAfterMs("ip:10.0.0.9"));
    }
    expect(waits).toEqual([0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(throttle.retryAfterMs("ip:10.0.0.8")).toBe(0);
    now += 3_000;
    expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(5_000);
    now += 5_000;
    expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(0);
  });

  it("forgets failures after the window, or after a success", () => {
    let now = 0;
    const throttle = new LoginThrottle({
      freeFailures: 1,
      baseDelayMs: 1_000,
      maxDelayMs: 60_000,
      windowMs: 60_000,
      now: () => now,
    });
    throttle.fail("user:ana");
    throttle.fail("user:ana");
    expect(throttle.failureCount("user:ana")).toBe(2);
    expect(throttle.retryAfterMs("user:ana")).toBe(2_000);
    now += 60_001;
    expect(throttle.failureCount("user:ana")).toBe(0);
    throttle.fail("user:ana");
    throttle.fail("user:ana");
    throttle.succeed("user:ana");
    expect(throttle.retryAfterMs("user:ana")).toBe(0);
  });
});
