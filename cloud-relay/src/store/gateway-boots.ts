import type { SqliteDatabase } from "./relay-database.js";

/**
 * When each boot of each gateway's host began, by the relay's clock. A gateway reports
 * its host's uptime with every registration and heartbeat; relay time minus uptime is
 * the boot's start, and a reading received `uptime` into that boot happened at start
 * plus uptime, whatever the gateway's wall clock said.
 */
export class GatewayBoots {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  record(gatewayId: string, boot: number, uptimeMs: number, relayNowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO gateway_boots (gateway_id, boot, booted_at_ms, reported_at_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (gateway_id, boot) DO UPDATE SET booted_at_ms = excluded.booted_at_ms, reported_at_ms = excluded.reported_at_ms`,
      )
      .run(gatewayId, boot, relayNowMs - uptimeMs, relayNowMs);
  }

  /** The relay-clock time of a moment `uptimeMs` into a boot, if the relay heard from that boot. */
  relayTimeOf(gatewayId: string, boot: number, uptimeMs: number): number | undefined {
    const row = this.db
      .prepare("SELECT booted_at_ms FROM gateway_boots WHERE gateway_id = ? AND boot = ?")
      .get(gatewayId, boot) as { booted_at_ms: number } | undefined;
    return row && row.booted_at_ms + uptimeMs;
  }
}
