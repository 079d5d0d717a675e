/**
 * How long the gateway can go on storing at the current ingest rate before its disk
 * quota is reached: the rate is an exponentially weighted average, so a burst does not
 * swing the estimate.
 */
export class AutonomyEstimator {
  private readonly halfLifeMs: number;
  private last: { atMs: number; readings: number } | undefined;
  private ratePerSecond = 0;

  constructor(options: { halfLifeMs?: number } = {}) {
    this.halfLifeMs = options.halfLifeMs ?? 10 * 60_000;
  }

  /** Feeds the total of readings accepted so far. */
  observe(totalReadings: number, atMs: number): void {
    if (this.last && atMs > this.last.atMs) {
      const elapsedMs = atMs - this.last.atMs;
      const instant = ((totalReadings - this.last.readings) * 1000) / elapsedMs;
      const weight = 1 - 0.5 ** (elapsedMs / this.halfLifeMs);
      this.ratePerSecond += (instant - this.ratePerSecond) * weight;
    }
    this.last = { atMs, readings: totalReadings };
  }

  get readingsPerSecond(): number {
    return this.ratePerSecond;
  }

  /** Days until the quota is reached; Infinity while nothing arrives. */
  daysLeft(freeBytes: number, bytesPerReading: number): number {
    if (this.ratePerSecond <= 0 || bytesPerReading <= 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, freeBytes) / (bytesPerReading * this.ratePerSecond) / 86_400;
  }
}
