import { toAccess, type RateLimit } from "./gateway-access.js";
import type { SqlDatabase } from "./sql-database.js";

export type GatewayState = "online" | "lagging" | "offline";

/** One gateway as operators see it. */
export interface FleetGateway {
  gatewayId: string;
  state: GatewayState;
  /** When the relay first heard from it, and last (any call). */
  firstSeenAtMs: number;
  lastSeenAtMs: number;
  /** Where it last called from (the TLS peer's address), if known. */
  address: string | undefined;
  /** The software version it last reported, if it did. */
  softwareVersion: string | undefined;
  /** Its clock minus the relay's when it last said its time (heartbeat or registration), in milliseconds. */
  clockOffsetMs: number | undefined;
  /** Its last stored batch, and when that was stored; undefined before its first. */
  lastSequence: number | undefined;
  lastBatchAtMs: number | undefined;
  /** What it last reported waiting to upload. */
  backlogBatches: number;
  backlogReadings: number;
  /** Its stored batches not in an anchor yet. */
  unanchoredBatches: number;
  /** Its newest batch with a proof the relay recorded, and how many batches stored after it wait for one; undefined before its first proof (proving off). */
  lastProvenSequence: number | undefined;
  proofLagBatches: number | undefined;
  /** Set once revoked: its certificate is refused from then on. */
  revokedAtMs: number | undefined;
  revokedReason: string | undefined;
  /** CIDR blocks it may call from; undefined: anywhere. */
  allowedCidrs: string[] | undefined;
  /** Its own rate limit; undefined: the relay's default. */
  rateLimit: RateLimit | undefined;
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
  software_version: string | null;
  clock_offset_ms: number | null;
  last_batch_at_ms: number | null;
  backlog_batches: number;
  backlog_readings: number;
  last_sequence: number | null;
  unanchored_batches: number;
  last_proven_sequence: number | null;
  revoked_at_ms: number | null;
  revoked_reason: string | null;
  allowed_cidrs: string | null;
  batches_per_second: number | null;
  burst: number | null;
}

const FLEET = `SELECT g.gateway_id, g.registered_at_ms, g.last_seen_at_ms, g.address, g.software_version, g.clock_offset_ms,
    g.last_batch_at_ms, g.backlog_batches, g.backlog_readings,
    (SELECT max(b.sequence) FROM batches b WHERE b.gateway_id = g.gateway_id) AS last_sequence,
    (SELECT count(*) FROM batches b WHERE b.gateway_id = g.gateway_id AND b.anchor_id IS NULL) AS unanchored_batches,
    (SELECT max(p.batch_sequence) FROM proofs p WHERE p.gateway_id = g.gateway_id) AS last_proven_sequence,
    a.revoked_at_ms, a.revoked_reason, a.allowed_cidrs, a.batches_per_second, a.burst
  FROM gateways g LEFT JOIN gateway_access a ON a.gateway_id = g.gateway_id`;

/** The gateways the relay knows, with their state (for the admin API, the CLI and the per-gateway metrics). */
export class FleetView {
  constructor(
    private readonly db: SqlDatabase,
    private readonly thresholds: FleetThresholds,
  ) {}

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
    const { revokedAtMs, revokedReason, allowedCidrs, rateLimit } = toAccess({ ...row, updated_at_ms: 0 });
    const lastProven = row.last_proven_sequence ?? undefined;
    return {
      gatewayId: row.gateway_id,
      state,
      firstSeenAtMs: row.registered_at_ms,
      lastSeenAtMs: row.last_seen_at_ms,
      address: row.address ?? undefined,
      softwareVersion: row.software_version ?? undefined,
      clockOffsetMs: row.clock_offset_ms ?? undefined,
      lastSequence: row.last_sequence ?? undefined,
      lastBatchAtMs: row.last_batch_at_ms ?? undefined,
      backlogBatches: row.backlog_batches,
      backlogReadings: row.backlog_readings,
      unanchoredBatches: row.unanchored_batches,
      lastProvenSequence: lastProven,
      proofLagBatches: lastProven === undefined ? undefined : (row.last_sequence ?? 0) - lastProven,
      revokedAtMs,
      revokedReason,
      allowedCidrs,
      rateLimit,
    };
  }
}
