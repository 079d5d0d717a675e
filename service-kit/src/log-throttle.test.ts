import { describe, expect, it } from "vitest";
import { LogThrottle } from "./log-throttle.js";

/** A throttle on a clock the test sets. */
function throttled(options: { intervalMs: number; maxSources?: number }) {
  const clock = { nowMs: 0 };
  return { clock, throttle: new LogThrottle({ ...options, now: () => clock.nowMs }) };
}

describe("log throttle", () => {
  it("lets one line per kind and source through per interval, then tells how many were left out", () => {
    const { clock, throttle } = throttled({ intervalMs: 60_000 });
    expect(throttle.admit("replayed", "press-1")).toEqual({ leftOut: 0 });
    for (let i = 0; i < 5; i++) expect(throttle.admit("replayed", "press-1")).toBeUndefined();
    // Another source, or another kind, has a line of its own.
    expect(throttle.admit("replayed", "press-2")).toEqual({ leftOut: 0 });
    expect(throttle.admit("malformed", "press-1")).toEqual({ leftOut: 0 });
    clock.nowMs = 59_999;
    expect(throttle.admit("replayed", "press-1")).toBeUndefined();
    clock.nowMs = 60_000;
    expect(throttle.admit("replayed", "press-1")).toEqual({ leftOut: 6 });
    // The count starts again from the line just let through.
    expect(throttle.admit("replayed", "press-1")).toBeUndefined();
    clock.nowMs = 120_000;
    expect(throttle.admit("replayed", "press-1")).toEqual({ leftOut: 1 });
    expect(throttle.admit("replayed", "press-2")).toEqual({ leftOut: 0 });
  });

  it("lets every line through with an interval of 0", () => {
    const { throttle } = throttled({ intervalMs: 0 });
    expect([1, 2, 3].map(() => throttle.admit("replayed", "press-1"))).toEqual([{ leftOut: 0 }, { leftOut: 0 }, { leftOut: 0 }]);
  });

  it("beyond its sources, lets a kind's new sources share one line per interval", () => {
    const { clock, throttle } = throttled({ intervalMs: 60_000, maxSources: 3 });
    for (const source of ["a", "b", "c"]) expect(throttle.admit("bad_credentials", source)).toEqual({ leftOut: 0 });
    expect(throttle.admit("bad_credentials", "d")).toEqual({ leftOut: 0 });
    for (const source of ["e", "f", "g"]) expect(throttle.admit("bad_credentials", source)).toBeUndefined();
    expect(throttle.admit("other_reason", "h")).toEqual({ leftOut: 0 });
    // Sources already remembered keep their own line.
    expect(throttle.admit("bad_credentials", "a")).toBeUndefined();
    // Once the interval has passed, the sources not logged within it are forgotten and new ones are let in again.
    clock.nowMs = 60_000;
    expect(throttle.admit("bad_credentials", "i")).toEqual({ leftOut: 0 });
    expect(throttle.admit("bad_credentials", "i")).toBeUndefined();
  });

  it("stays bounded under a flood of new sources", () => {
    const { throttle } = throttled({ intervalMs: 60_000, maxSources: 10 });
    let lines = 0;
    for (let i = 0; i < 10_000; i++) if (throttle.admit("bad_credentials", `guess-${i}`)) lines++;
    expect(lines).toBe(11);
  });
});
