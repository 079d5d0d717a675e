/**
 * Exponential backoff with full jitter: a fleet that lost its relay together comes
 * back spread over the whole window instead of in one storm.
 */
export class Backoff {
  private attempt = 0;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(options: { initialDelayMs: number; maxDelayMs: number; random?: () => number }) {
    this.initialDelayMs = options.initialDelayMs;
    this.maxDelayMs = options.maxDelayMs;
    this.random = options.random ?? Math.random;
  }

  nextDelayMs(): number {
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
