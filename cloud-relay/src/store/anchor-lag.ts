import type { SqlDatabase } from "./sql-database.js";

/**
 * How long stored batches have waited for an anchor: per gateway, when its oldest batch not
 * yet anchored was stored. Only unanchored batches are read (a partial index holds them), so
 * the query stays cheap however many batches the relay keeps.
 */
export class AnchorLag {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Gateway id to when its oldest unanchored batch was stored (Unix ms); gateways with none are absent. */
  async unanchoredSince(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ gateway_id: string; since_ms: number }>(
      "SELECT gateway_id, min(received_at_ms) AS since_ms FROM batches WHERE anchor_id IS NULL GROUP BY gateway_id",
    );
    return Object.fromEntries(rows.map((row) => [row.gateway_id, Number(row.since_ms)]));
  }
}
