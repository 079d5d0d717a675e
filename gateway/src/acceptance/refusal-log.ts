import type { Logger } from "pino";

export interface RefusalLogOptions {
  logger: Logger;
  /** One line per source and reason within this interval; the next line says how many were left out. */
  intervalMs: number;
  /** Sources remembered at once; beyond that, refusals of a reason share one line per interval. */
  maxSources?: number;
  now?: () => number;
}

interface Entry {
  loggedAtMs: number;
  leftOut: number;
}

/**
 * Logs refusals (frames, publishes, logins) at most once per source and reason per
 * interval, without stack traces: they are expected, and a flood of them must not fill the
 * disk with log. Counting them is the caller's business; this only decides what is written.
 */
export class RefusalLog {
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly maxSources: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private prunedAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: RefusalLogOptions) {
    this.logger = options.logger;
    this.intervalMs = options.intervalMs;
    this.maxSources = options.maxSources ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Notes one refusal of `reason` from `source` (a device id, or a network address when the
   * sender is unknown); writes `message` with `fields` unless that pair was logged lately.
   */
  note(reason: string, source: string | undefined, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const key = this.keyFor(reason, source ?? "unknown", now);
    const entry = this.entries.get(key);
    if (entry && now - entry.loggedAtMs < this.intervalMs) {
      entry.leftOut++;
      return;
    }
    const leftOut = entry?.leftOut ?? 0;
    this.entries.set(key, { loggedAtMs: now, leftOut: 0 });
    this.logger.warn(leftOut > 0 ? { ...fields, reason, leftOutSinceLastLine: leftOut } : { ...fields, reason }, message);
  }

  /** The source's own key, or one shared by the reason while too many sources are remembered. */
  private keyFor(reason: string, source: string, now: number): string {
    const key = `${reason}\u0000${source}`;
    if (this.entries.has(key) || this.entries.size < this.maxSources) return key;
    // Forgetting sources not logged within the interval loses nothing; done once per interval, so a flood of new sources stays cheap.
    if (now - this.prunedAtMs >= this.intervalMs) {
      this.prunedAtMs = now;
      for (const [old, entry] of this.entries) if (now - entry.loggedAtMs >= this.intervalMs) this.entries.delete(old);
    }
    return this.entries.size < this.maxSources ? key : `${reason}\u0000*`;
  }
}
