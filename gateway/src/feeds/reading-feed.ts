import type { Reading } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import type { ReadingStore } from "../store/reading-store.js";

/**
 * Stored readings for listeners, in gateway sequence order, by following the readings
 * table rather than hooking into ingest: listeners only ever see what is durable, see
 * what flows wrote back too, and cannot slow ingest down, whatever they do. A listener
 * sees readings stored from when it subscribed.
 */
export class ReadingFeed {
  private readonly listeners = new Set<(readings: readonly Reading[]) => void>();
  private readonly readings: ReadingStore;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly maxPerTick: number;
  private timer: NodeJS.Timeout | undefined;
  private cursor = 0;

  constructor(deps: { readings: ReadingStore; logger: Logger; intervalMs?: number; maxPerTick?: number }) {
    this.readings = deps.readings;
    this.logger = deps.logger;
    this.intervalMs = deps.intervalMs ?? 100;
    this.maxPerTick = deps.maxPerTick ?? 2_000;
  }

  subscribe(listener: (readings: readonly Reading[]) => void): () => void {
    if (this.listeners.size === 0) {
      this.cursor = this.readings.lastSeq();
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const last = Math.min(this.readings.lastSeq(), this.cursor + this.maxPerTick);
    if (last <= this.cursor) return;
    const batch = this.readings.between(this.cursor + 1, last);
    this.cursor = last;
    if (batch.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.warn({ err: error }, "a reading listener failed");
      }
    }
  }
}
