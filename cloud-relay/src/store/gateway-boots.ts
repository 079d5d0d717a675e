import type { SqlDatabase } from "./sql-database.js";

/**
 * When each boot of each gateway's host began, by the relay's clock. A gateway reports
 * its host's uptime with every registration and heartbeat; relay time minus uptime is
 * the boot's start, and a reading received `uptime` into that boot happened at start
 * plus uptime, whatever the gateway's wall clock said.
 */
export class GatewayBoots {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  async record(gatewayId: string, boot: number, uptimeMs: number, relayNowMs: number): Promise<void> {
    await this.db.run(
      `INSERT INTO gateway_boots (gateway_id, boot, booted_at_ms, reported_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (gateway_id, boot) DO UPDATE SET booted_at_ms = excluded.booted_at_ms, reported_at_ms = excluded.reported_at_ms`,
      [gatewayId, boot, relayNowMs - uptimeMs, relayNowMs],
    );
  }

  /** The relay-clock time of a moment `uptimeMs` into a boot, if the relay heard from that boot. */
  async relayTimeOf(gatewayId: string, boot: number, uptimeMs: number): Promise<number | undefined> {
    const row = await this.db.get<{ booted_at_ms: number }>(
      "SELECT booted_at_ms FROM gateway_boots WHERE gateway_id = ? AND boot = ?",
      [gatewayId, boot],
    );
    return row && row.booted_at_ms + uptimeMs;
  }
}
