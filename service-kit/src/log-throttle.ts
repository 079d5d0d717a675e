export interface LogThrottleOptions {
  /** One line per kind and source within this interval; the next line says how many were left out. */
  intervalMs: number;
  /** Sources remembered at once; beyond that, a kind's new sources share one line per interval. */
  maxSources?: number;
  now?: () => number;
}

interface Entry {
  loggedAtMs: number;
  leftOut: number;
}

/**
 * Decides which lines about expected events (a refused frame, login or call) are written:
 * one per kind and source per interval, so that a flood of them can neither fill the disk
 * with log nor, through ever new sources, the memory with what was logged.
 */
export class LogThrottle {
  private readonly intervalMs: number;
  private readonly maxSources: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private prunedAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: LogThrottleOptions) {
    this.intervalMs = options.intervalMs;
    this.maxSources = options.maxSources ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Notes one event of `kind` from `source`: undefined when a line about them was written
   * within the interval, else the line is due and `leftOut` events were not written since the last.
   */
  admit(kind: string, source: string): { leftOut: number } | undefined {
    const now = this.now();
    const key = this.keyFor(kind, source, now);
    const entry = this.entries.get(key);
    if (entry && now - entry.loggedAtMs < this.intervalMs) {
      entry.leftOut++;
      return undefined;
    }
    this.entries.set(key, { loggedAtMs: now, leftOut: 0 });
    return { leftOut: entry?.leftOut ?? 0 };
  }

  /** The source's own key, or one shared by the kind while too many sources are remembered. */
  private keyFor(kind: string, source: string, now: number): string {
    const key = `${kind}\u0000${source}`;
    if (this.entries.has(key) || this.entries.size < this.maxSources) return key;
    // Forgetting sources not logged within the interval loses nothing; done once per interval, so a flood of new sources stays cheap.
    if (now - this.prunedAtMs >= this.intervalMs) {
      this.prunedAtMs = now;
      for (const [old, entry] of this.entries) if (now - entry.loggedAtMs >= this.intervalMs) this.entries.delete(old);
    }
    return this.entries.size < this.maxSources ? key : `${kind}\u0000*`;
  }
}
