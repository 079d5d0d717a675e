import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles its ceiling up to the maximum and draws below it", () => {
    const ceilings: number[] = [];
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 1 });
    for (let i = 0; i < 6; i++) ceilings.push(backoff.nextDelayMs());
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(100);
  });

  it("spreads delays over the window", () => {
    const backoff = new Backoff({ initialDelayMs: 1000, maxDelayMs: 1000 });
    const delays = Array.from({ length: 200 }, () => backoff.nextDelayMs());
    expect(Math.min(...delays)).toBeLessThan(250);
    expect(Math.max(...delays)).toBeGreaterThan(750);
  });

  it("waits longer for an overloaded relay: the upper half of the maximum, spread", () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 10_000 });
    const delays = Array.from({ length: 200 }, () => backoff.overloadedDelayMs());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(10_000);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(2_500);
    // Failures after an overload start from a raised ceiling, not from the first step.
    const raised = new Backoff({ initialDelayMs: 100, maxDelayMs: 10_000, random: () => 1 });
    raised.overloadedDelayMs();
    expect(raised.nextDelayMs()).toBe(200);
  });

  it("honours the relay's retry-after, never earlier and at most a fifth later", () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1_000 });
    const delays = Array.from({ length: 200 }, () => backoff.retryAfterDelayMs(60_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(60_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(72_000);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});
