import { describe, expect, it } from "vitest";
import { LoginThrottle, type LoginThrottleOptions } from "./login-throttle.js";

/** A throttle with `limits` on a clock the test moves by hand: `clock.now`, in ms. */
function throttleOnClock(limits: Omit<LoginThrottleOptions, "now">, startMs = 0) {
  const clock = { now: startMs };
  return { clock, throttle: new LoginThrottle({ ...limits, now: () => clock.now }) };
}

describe("login throttle", () => {
  it("lets a key fail a few times, then makes it wait longer after each further failure", () => {
    const { clock, throttle } = throttleOnClock(
      { freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 8_000, windowMs: 600_000 },
      1_000_000,
    );
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      clock.now += throttle.retryAfterMs("ip:10.0.0.9");
      throttle.fail("ip:10.0.0.9");
      waits.push(throttle.retryAfterMs("ip:10.0.0.9"));
    }
    expect(waits).toEqual([0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(throttle.retryAfterMs("ip:10.0.0.8")).toBe(0);
    clock.now += 3_000;
    expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(5_000);
    clock.now += 5_000;
    expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(0);
  });

  it("forgets failures after the window, or after a success", () => {
    const { clock, throttle } = throttleOnClock({ freeFailures: 1, baseDelayMs: 1_000, maxDelayMs: 60_000, windowMs: 60_000 });
    throttle.fail("user:ana");
    throttle.fail("user:ana");
    expect(throttle.failureCount("user:ana")).toBe(2);
    expect(throttle.retryAfterMs("user:ana")).toBe(2_000);
    clock.now += 60_001;
    expect(throttle.failureCount("user:ana")).toBe(0);
    throttle.fail("user:ana");
    throttle.fail("user:ana");
    throttle.succeed("user:ana");
    expect(throttle.retryAfterMs("user:ana")).toBe(0);
  });
});
