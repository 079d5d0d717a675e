import { describe, expect, it } from "vitest";
import { EventTimeWatermark, SlidingEventCount, slidingWindows, tumblingWindow } from "./event-windows.js";

/** A deterministic shuffle, so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("tumbling windows", () => {
  it("put each time in the one aligned window that holds it, ends excluded", () => {
    expect(tumblingWindow(0, 60_000)).toEqual({ startMs: 0, endMs: 60_000 });
    expect(tumblingWindow(59_999, 60_000)).toEqual({ startMs: 0, endMs: 60_000 });
    expect(tumblingWindow(60_000, 60_000)).toEqual({ startMs: 60_000, endMs: 120_000 });
    expect(tumblingWindow(-1, 60_000)).toEqual({ startMs: -60_000, endMs: 0 });
  });

  it("refuse a size that is not a positive whole number of milliseconds", () => {
    expect(() => tumblingWindow(5, 0)).toThrow(/sizeMs/);
    expect(() => tumblingWindow(5, 1.5)).toThrow(/sizeMs/);
  });

  it("count the same per window whatever order the events arrive in", () => {
    const times = Array.from({ length: 500 }, (_, i) => i * 997);
    const count = (order: readonly number[]) => {
      const counts = new Map<number, number>();
      for (const time of order) {
        const { startMs } = tumblingWindow(time, 10_000);
        counts.set(startMs, (counts.get(startMs) ?? 0) + 1);
      }
      return [...counts.entries()].sort((a, b) => a[0] - b[0]);
    };
    expect(count(shuffled(times, 7))).toEqual(count(times));
  });
});

describe("sliding windows", () => {
  it("list every window holding a time, oldest first", () => {
    expect(slidingWindows(25, 30, 10)).toEqual([
      { startMs: 0, endMs: 30 },
      { startMs: 10, endMs: 40 },
      { startMs: 20, endMs: 50 },
    ]);
    expect(slidingWindows(30, 30, 10).map((window) => window.startMs)).toEqual([10, 20, 30]);
  });

  it("equal tumbling windows when the slide is the size", () => {
    expect(slidingWindows(12_345, 1_000, 1_000)).toEqual([tumblingWindow(12_345, 1_000)]);
  });
});

describe("the event-time watermark", () => {
  it("follows the newest time and calls late only what is older than it by more than the allowed lateness", () => {
    const watermark = new EventTimeWatermark(5_000);
    expect(watermark.observe(100_000)).toBe("on-time");
    expect(watermark.observe(96_000)).toBe("on-time"); // out of order, within lateness
    expect(watermark.watermarkMs).toBe(100_000);
    expect(watermark.observe(95_000)).toBe("on-time"); // exactly at the bound
    expect(watermark.observe(94_999)).toBe("late");
    expect(watermark.observe(200_000)).toBe("on-time");
    expect(watermark.observe(150_000)).toBe("late");
    expect(watermark.watermarkMs).toBe(200_000);
  });

  it("closes a window once the watermark passed its end by the allowed lateness", () => {
    const watermark = new EventTimeWatermark(1_000, 60_999);
    expect(watermark.isClosed({ startMs: 0, endMs: 60_000 })).toBe(false);
    watermark.observe(61_000);
    expect(watermark.isClosed({ startMs: 0, endMs: 60_000 })).toBe(true);
  });

  it("with no lateness allowed, calls late anything older than the newest", () => {
    const watermark = new EventTimeWatermark(0);
    watermark.observe(10);
    expect(watermark.observe(10)).toBe("on-time");
    expect(watermark.observe(9)).toBe("late");
  });
});

describe("the sliding event count", () => {
  it("counts the events in (newest - size, newest] whatever order they arrive in", () => {
    const times = [1_000, 2_000, 3_000, 9_000, 10_000, 10_500];
    for (const seed of [1, 2, 3, 4, 5]) {
      const count = new SlidingEventCount(5_000, 10);
      for (const time of shuffled(times, seed)) count.add(time);
      // Window (5500, 10500]: 9000, 10000, 10500.
      expect(count.count).toBe(3);
    }
  });

  it("forgets events as the window moves on, including late ones that fall outside it", () => {
    const count = new SlidingEventCount(10_000, 5);
    count.add(100_000);
    count.add(95_000);
    expect(count.count).toBe(2);
    count.add(80_000); // late: already out of (90000, 100000]
    expect(count.count).toBe(2);
    count.advance(105_000);
    expect(count.count).toBe(1);
    count.advance(110_000);
    expect(count.count).toBe(0);
  });

  it("keeps only the newest events it needs, and carries them across a restart", () => {
    const count = new SlidingEventCount(60_000, 3);
    for (const time of [1, 2, 3, 4, 5]) count.add(time * 1_000);
    expect(count.count).toBe(3);
    const restored = new SlidingEventCount(60_000, 3, count.state.times, count.state.newestMs);
    restored.advance(63_500);
    expect(restored.count).toBe(2); // 4000 and 5000 remain
  });
});
