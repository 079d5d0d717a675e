import type { SqlDatabase } from "./sql-database.js";

/** How many batches a gateway may upload per second, with a burst it may send at once. */
export interface RateLimit {
  batchesPerSecond: number;
  burst: number;
}

/** What operators decided about one gateway's calls. */
export interface GatewayAccess {
  gatewayId: string;
  /** When it was revoked; undefined while its certificate is taken. */
  revokedAtMs: number | undefined;
  revokedReason: string | undefined;
  /** CIDR blocks it may call from; undefined: any address. */
  allowedCidrs: string[] | undefined;
  /** Its own rate limit; undefined: the relay's configured default. */
  rateLimit: RateLimit | undefined;
  updatedAtMs: number;
}

interface AccessRow {
  gateway_id: string;
  revoked_at_ms: number | null;
  revoked_reason: string | null;
  allowed_cidrs: string | null;
  batches_per_second: number | null;
  burst: number | null;
  updated_at_ms: number;
}

/** A gateway_access row as the fleet view and the relay's checks see it. */
export function toAccess(row: AccessRow): GatewayAccess {
  return {
    gatewayId: row.gateway_id,
    revokedAtMs: row.revoked_at_ms ?? undefined,
    revokedReason: row.revoked_reason ?? undefined,
    allowedCidrs: row.allowed_cidrs === null ? undefined : (JSON.parse(row.allowed_cidrs) as string[]),
    rateLimit:
      row.batches_per_second === null || row.burst === null
        ? undefined
        : { batchesPerSecond: row.batches_per_second, burst: row.burst },
    updatedAtMs: row.updated_at_ms,
  };
}

/**
 * Revocations, address allowlists and rate limits per gateway, in the shared database so
 * every replica applies what an operator set through any of them. A gateway needs no row:
 * without one it may call from anywhere at the default rate.
 */
export class GatewayAccessLedger {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  async get(gatewayId: string): Promise<GatewayAccess | undefined> {
    const row = await this.db.get<AccessRow>(
      `SELECT gateway_id, revoked_at_ms, revoked_reason, allowed_cidrs, batches_per_second, burst, updated_at_ms
       FROM gateway_access WHERE gateway_id = ?`,
      [gatewayId],
    );
    return row && toAccess(row);
  }

  /** Every gateway with a decision: few (those operators acted on), read whole by each replica every second or so. */
  async all(): Promise<GatewayAccess[]> {
    return (
      await this.db.all<AccessRow>(
        "SELECT gateway_id, revoked_at_ms, revoked_reason, allowed_cidrs, batches_per_second, burst, updated_at_ms FROM gateway_access",
      )
    ).map(toAccess);
  }

  /** Refuses the gateway's certificate from its next call on; revoking again keeps the first time and reason. */
  async revoke(gatewayId: string, nowMs: number, reason: string | undefined): Promise<GatewayAccess> {
    await this.db.run(
      `INSERT INTO gateway_access (gateway_id, revoked_at_ms, revoked_reason, updated_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (gateway_id) DO UPDATE SET
         revoked_reason = CASE WHEN gateway_access.revoked_at_ms IS NULL THEN excluded.revoked_reason ELSE gateway_access.revoked_reason END,
         revoked_at_ms = coalesce(gateway_access.revoked_at_ms, excluded.revoked_at_ms),
         updated_at_ms = excluded.updated_at_ms`,
      [gatewayId, nowMs, reason ?? null, nowMs],
    );
    return (await this.get(gatewayId)) as GatewayAccess;
  }

  /** Takes the gateway's certificate again. */
  async reinstate(gatewayId: string, nowMs: number): Promise<GatewayAccess> {
    return this.upsert(gatewayId, nowMs, "revoked_at_ms = NULL, revoked_reason = NULL", []);
  }

  /** Limits where the gateway may call from; undefined lifts the limit. */
  async allowFrom(gatewayId: string, cidrs: readonly string[] | undefined, nowMs: number): Promise<GatewayAccess> {
    return this.upsert(gatewayId, nowMs, "allowed_cidrs = ?", [cidrs === undefined ? null : JSON.stringify(cidrs)]);
  }

  /** Gives the gateway a rate limit of its own; undefined returns it to the default. */
  async limitRate(gatewayId: string, limit: RateLimit | undefined, nowMs: number): Promise<GatewayAccess> {
    return this.upsert(gatewayId, nowMs, "batches_per_second = ?, burst = ?", [
      limit?.batchesPerSecond ?? null,
      limit?.burst ?? null,
    ]);
  }

  private async upsert(gatewayId: string, nowMs: number, assignments: string, params: (string | number | null)[]) {
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO gateway_access (gateway_id, updated_at_ms) VALUES (?, ?)
         ON CONFLICT (gateway_id) DO UPDATE SET updated_at_ms = excluded.updated_at_ms`,
        [gatewayId, nowMs],
      );
      await tx.run(`UPDATE gateway_access SET ${assignments} WHERE gateway_id = ?`, [...params, gatewayId]);
    });
    return (await this.get(gatewayId)) as GatewayAccess;
  }
}
