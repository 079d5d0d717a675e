/** Events per second over the last `windowSeconds`, from a running total sampled once a second. */
export class WindowedRate {
  private readonly samples: { atMs: number; total: number }[] = [];
  private readonly windowSeconds: number;

  constructor(windowSeconds = 10) {
    this.windowSeconds = windowSeconds;
  }

  sample(total: number, atMs: number): void {
    this.samples.push({ atMs, total });
    if (this.samples.length > this.windowSeconds + 1) this.samples.shift();
  }

  get perSecond(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.atMs <= first.atMs) return 0;
    return ((last.total - first.total) * 1000) / (last.atMs - first.atMs);
  }
}
