import { hostUptimeMs } from "./host-boot.js";

/** A time stamp with what is needed to correct it later. */
export interface ClockReading {
  nowMs: number;
  /** The wall clock is unset or jumped since it was last confirmed. */
  uncertain: boolean;
  boot: number;
  uptimeMs: number;
}

export interface GatewayClockOptions {
  boot: number;
  /** Wall-clock times before this are an unset clock (a Pi without RTC boots in 1970). */
  earliestPlausibleMs?: number;
  /** A wall clock moving this far from the monotonic clock between readings has jumped. */
  jumpToleranceMs?: number;
  wallNow?: () => number;
  uptimeNow?: () => number;
}

/**
 * The gateway's sense of time. It compares the wall clock with the monotonic clock on
 * every reading: an implausible wall clock, or one that moved against the monotonic
 * clock, makes readings time-uncertain until a trusted reference (the relay) confirms
 * the wall clock again.
 */
export class GatewayClock {
  readonly boot: number;
  private readonly earliestPlausibleMs: number;
  private readonly jumpToleranceMs: number;
  private readonly wallNow: () => number;
  private readonly uptimeNow: () => number;
  private lastOffsetMs: number | undefined;
  private jumped = false;

  constructor(options: GatewayClockOptions) {
    this.boot = options.boot;
    this.earliestPlausibleMs = options.earliestPlausibleMs ?? Date.UTC(2025, 0, 1);
    this.jumpToleranceMs = options.jumpToleranceMs ?? 2_000;
    this.wallNow = options.wallNow ?? Date.now;
    this.uptimeNow = options.uptimeNow ?? hostUptimeMs;
  }

  read(): ClockReading {
    const nowMs = this.wallNow();
    const uptimeMs = this.uptimeNow();
    const offsetMs = nowMs - uptimeMs;
    if (this.lastOffsetMs !== undefined && Math.abs(offsetMs - this.lastOffsetMs) > this.jumpToleranceMs) this.jumped = true;
    this.lastOffsetMs = offsetMs;
    return { nowMs, uncertain: this.jumped || nowMs < this.earliestPlausibleMs, boot: this.boot, uptimeMs };
  }

  /**
   * Compares the wall clock with a trusted time taken at `atUptimeMs`; a clock that
   * agrees is trusted again. Returns the wall clock's error in milliseconds.
   */
  confirm(referenceMs: number, atUptimeMs: number): number {
    const errorMs = this.wallNow() - this.uptimeNow() - (referenceMs - atUptimeMs);
    if (Math.abs(errorMs) <= this.jumpToleranceMs) {
      this.jumped = false;
      this.lastOffsetMs = undefined;
    }
    return errorMs;
  }
}
