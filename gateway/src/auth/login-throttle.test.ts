import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./login-throttle.js";

describe("login throttle", () => {
  it("refuses a key after too many failures within the window, and lets it try again after", () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(0);
      throttle.fail("ip:10.0.0.9");
      now += 1_000;
    }
    expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(57_000);
    expect(throttle.retryAfterMs("ip:10.0.0.8")).toBe(0);
    now += 57_000;
    expect(throttle.retryAfterMs("ip:10.0.0.9")).toBe(0);
  });

  it("forgets a key's failures after a success", () => {
    const throttle = new LoginThrottle({ maxFailures: 2, windowMs: 60_000 });
    throttle.fail("user:ana");
    throttle.fail("user:ana");
    expect(throttle.retryAfterMs("user:ana")).toBeGreaterThan(0);
    throttle.succeed("user:ana");
    expect(throttle.retryAfterMs("user:ana")).toBe(0);
  });
});
