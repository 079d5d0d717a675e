/**
 * A rate of events per second from a running total, as an exponentially weighted
 * average, so a burst or a pause does not swing it.
 */
export class RateEstimator {
  private readonly halfLifeMs: number;
  private last: { atMs: number; total: number } | undefined;
  private ratePerSecond = 0;

  constructor(options: { halfLifeMs?: number } = {}) {
    this.halfLifeMs = options.halfLifeMs ?? 60_000;
  }

  /** Feeds the running total as of `atMs`. */
  observe(total: number, atMs: number): void {
    if (this.last && atMs > this.last.atMs) {
      const elapsedMs = atMs - this.last.atMs;
      const instant = ((total - this.last.total) * 1000) / elapsedMs;
      const weight = 1 - 0.5 ** (elapsedMs / this.halfLifeMs);
      this.ratePerSecond += (instant - this.ratePerSecond) * weight;
    }
    this.last = { atMs, total };
  }

  get perSecond(): number {
    return this.ratePerSecond;
  }
}
