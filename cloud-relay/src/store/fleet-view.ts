import type { SqlDatabase } from "./sql-database.js";

export type GatewayState = "online" | "lagging" | "offline";

/** One gateway as operators see it. */
export interface FleetGateway {
  gatewayId: string;
  state: GatewayState;
  registeredAtMs: number;
  lastSeenAtMs: number;
  /** Where it last called from (the TLS peer's address), if known. */
  address: string | undefined;
  /** Its last stored batch, and when that was stored; undefined before its first. */
  lastSequence: number | undefined;
  lastBatchAtMs: number | undefined;
  /** What it last reported waiting to upload. */
  backlogBatches: number;
  backlogReadings: number;
  /** Its stored batches not in an anchor yet. */
  unanchoredBatches: number;
}

export interface FleetThresholds {
  /** Not heard from for longer than this: offline. */
  offlineAfterMs: number;
  /** Reports more batches than this waiting to upload: lagging. */
  laggingBacklogBatches: number;
}

interface FleetRow {
  gateway_id: string;
  registered_at_ms: number;
  last_seen_at_ms: number;
  address: string | null;
  last_batch_at_ms: number | null;
  backlog_batches: number;
  backlog_readings: number;
  last_sequence: number | null;
  unanchored_batches: number;
}

const FLEET = `SELECT g.gateway_id, g.registered_at_ms, g.last_seen_at_ms, g.address, g.last_batch_at_ms, g.backlog_batches,
    g.backlog_readings,
    (SELECT max(b.sequence) FROM batches b WHERE b.gateway_id = g.gateway_id) AS last_sequence,
    (SELECT count(*) FROM batches b WHERE b.gateway_id = g.gateway_id AND b.anchor_id IS NULL) AS unanchored_batches
  FROM gateways g`;

/** The gateways the relay knows, with their state (for the admin API, the CLI and the per-gateway metrics). */
export class FleetView {
  private readonly db: SqlDatabase;
  private readonly thresholds: FleetThresholds;

  constructor(db: SqlDatabase, thresholds: FleetThresholds) {
    this.db = db;
    this.thresholds = thresholds;
  }

  async list(nowMs: number): Promise<FleetGateway[]> {
    return (await this.db.all<FleetRow>(`${FLEET} ORDER BY g.gateway_id`)).map((row) => this.toGateway(row, nowMs));
  }

  async show(gatewayId: string, nowMs: number): Promise<FleetGateway | undefined> {
    const row = await this.db.get<FleetRow>(`${FLEET} WHERE g.gateway_id = ?`, [gatewayId]);
    return row && this.toGateway(row, nowMs);
  }

  private toGateway(row: FleetRow, nowMs: number): FleetGateway {
    const { offlineAfterMs, laggingBacklogBatches } = this.thresholds;
    const state: GatewayState =
      nowMs - row.last_seen_at_ms > offlineAfterMs
        ? "offline"
        : row.backlog_batches > laggingBacklogBatches
          ? "lagging"
          : "online";
    return {
      gatewayId: row.gateway_id,
      state,
      registeredAtMs: row.registered_at_ms,
      lastSeenAtMs: row.last_seen_at_ms,
      address: row.address ?? undefined,
      lastSequence: row.last_sequence ?? undefined,
      lastBatchAtMs: row.last_batch_at_ms ?? undefined,
      backlogBatches: row.backlog_batches,
      backlogReadings: row.backlog_readings,
      unanchoredBatches: row.unanchored_batches,
    };
  }
}
