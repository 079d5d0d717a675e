/**
 * Delays between attempts to reach the relay, all with jitter, so a fleet that lost its
 * relay together comes back spread out instead of in one storm: exponential backoff with
 * full jitter for failures, longer waits when the relay says it is overloaded.
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

  /** After a failure: drawn below a ceiling that doubles with each failure in a row, up to the maximum. */
  nextDelayMs(): number {
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(this.random() * ceiling);
  }

  /** After the relay said it is overloaded without saying for how long: between half the maximum and the maximum. */
  overloadedDelayMs(): number {
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(this.maxDelayMs * (0.5 + 0.5 * this.random()));
  }

  /** After the relay asked for `retryAfterMs`: at least that, and up to a fifth more. */
  retryAfterDelayMs(retryAfterMs: number): number {
    return Math.round(retryAfterMs * (1 + 0.2 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
