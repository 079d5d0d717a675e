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
});
