import { describe, expect, it } from "vitest";
import { GatewayClock } from "./gateway-clock.js";

function fakeClock(wallStartMs: number) {
  const state = { wall: wallStartMs, uptime: 1_000 };
  const clock = new GatewayClock({ boot: 3, wallNow: () => state.wall, uptimeNow: () => state.uptime });
  const advance = (ms: number) => {
    state.wall += ms;
    state.uptime += ms;
  };
  return { clock, state, advance };
}

const NOV_2026 = Date.UTC(2026, 10, 22);

describe("GatewayClock", () => {
  it("trusts a plausible clock that runs with the monotonic clock", () => {
    const { clock, advance } = fakeClock(NOV_2026);
    expect(clock.read()).toEqual({ nowMs: NOV_2026, uncertain: false, boot: 3, uptimeMs: 1_000 });
    advance(60_000);
    expect(clock.read().uncertain).toBe(false);
  });

  it("distrusts an unset clock (a Pi without RTC starts in 1970)", () => {
    const { clock } = fakeClock(5_000);
    expect(clock.read().uncertain).toBe(true);
  });

  it("distrusts the clock after a jump until a reference confirms it", () => {
    const { clock, state, advance } = fakeClock(NOV_2026);
    clock.read();
    state.wall += 3_600_000; // NTP or a technician moves the clock by an hour
    expect(clock.read().uncertain).toBe(true);
    advance(1_000);
    expect(clock.read().uncertain).toBe(true);
    // The relay's time, taken at the current uptime, agrees with the new wall clock.
    expect(clock.confirm(state.wall + 150, state.uptime)).toBe(-150);
    expect(clock.read().uncertain).toBe(false);
  });

  it("stays distrustful when the reference disagrees", () => {
    const { clock, state } = fakeClock(NOV_2026);
    clock.read();
    state.wall -= 86_400_000;
    clock.read();
    expect(clock.confirm(state.wall + 86_400_000, state.uptime)).toBe(-86_400_000);
    expect(clock.read().uncertain).toBe(true);
  });
});
