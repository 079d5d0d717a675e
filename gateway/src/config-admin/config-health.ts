import { setTimeout as sleep } from "node:timers/promises";
import type { UplinkState } from "../uplink/batch-uploader.js";

/** What an apply must not break. */
export interface GatewayHealth {
  /** Ingest runs: some transport takes frames (the others may be being restarted). */
  ingestRunning: boolean;
  /** A write transaction can be opened on the database. */
  databaseWritable: boolean;
  /** The uplink's state; undefined without a relay. */
  uplink: UplinkState | undefined;
  /** Why the uplink last failed, if it did. */
  uplinkError: string | undefined;
}

export type WatchVerdict = { healthy: true } | { healthy: false; reason: string };

/**
 * Watches the gateway's health for `watchMs` after a change: the database must stay
 * writable and ingest running throughout, and an uplink that was up before the change
 * must be up again within `uplinkWithinMs`. Resolves at the first failure, with why.
 */
export async function watchHealth(options: {
  probe: () => GatewayHealth;
  before: GatewayHealth;
  watchMs: number;
  uplinkWithinMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}): Promise<WatchVerdict> {
  const startedAt = Date.now();
  const interval = options.intervalMs ?? 250;
  let uplinkBack = options.before.uplink !== "uploading";
  for (;;) {
    const health = options.probe();
    if (!health.databaseWritable) return { healthy: false, reason: "the database is not writable" };
    if (!health.ingestRunning) return { healthy: false, reason: "ingest is not running" };
    uplinkBack ||= health.uplink === "uploading";
    const elapsed = Date.now() - startedAt;
    if (!uplinkBack && elapsed >= options.uplinkWithinMs) {
      const why = health.uplinkError === undefined ? "" : ` (${health.uplinkError})`;
      return {
        healthy: false,
        reason: `the uplink was up before and is not back within ${options.uplinkWithinMs} ms: ${health.uplink ?? "no relay"}${why}`,
      };
    }
    if (elapsed >= options.watchMs || options.signal?.aborted) return { healthy: true };
    await sleep(interval);
  }
}
