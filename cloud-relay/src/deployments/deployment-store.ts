import { openSqliteDatabase, type SqliteDatabase } from "@intelledger/service-kit";
import type { DeploymentSigner } from "./deployment-signer.js";

/** Who a deployment is for: one gateway (its address) or every gateway without one of its own. */
export type DeploymentTarget = "fleet" | `0x${string}`;

/** What a gateway receives, signed: the configuration fragment it merges over its own. */
export interface DeploymentDocument {
  version: number;
  target: DeploymentTarget;
  publishedAtMs: number;
  config: Record<string, unknown>;
}

export interface StoredDeployment {
  version: number;
  target: DeploymentTarget;
  publishedAtMs: number;
  document: Uint8Array;
  signature: Uint8Array;
}

export type ReportedOutcome = "applied" | "rolled-back" | "invalid" | "refused";

/** A gateway's desired and reported deployment, as operators see it. */
export interface GatewayDeploymentStatus {
  gatewayId: string;
  /** The version the relay wants it to run (its own deployment, else the fleet's). */
  desiredVersion: number | undefined;
  /** The version it said it runs when it last fetched. */
  appliedVersion: number | undefined;
  lastFetchAtMs: number | undefined;
  /** Its last report: which version, what became of it, why. */
  reported: { version: number; outcome: ReportedOutcome; detail: string; revision: number; atMs: number } | undefined;
}

const MIGRATIONS = [
  `CREATE TABLE deployments (
    version INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    published_at_ms INTEGER NOT NULL,
    document BLOB NOT NULL,
    signature BLOB NOT NULL
  ) STRICT;
  CREATE INDEX deployments_by_target ON deployments (target, version);
  CREATE TABLE gateway_deployments (
    gateway_id TEXT PRIMARY KEY,
    applied_version INTEGER,
    last_fetch_at_ms INTEGER,
    reported_version INTEGER,
    outcome TEXT,
    detail TEXT,
    revision INTEGER,
    reported_at_ms INTEGER
  ) STRICT;`,
];

/** The deployments table's columns as a StoredDeployment's fields. */
const STORED_DEPLOYMENTS = `SELECT version, target, published_at_ms AS "publishedAtMs", document, signature FROM deployments`;

interface GatewayRow {
  gateway_id: string;
  applied_version: number | null;
  last_fetch_at_ms: number | null;
  reported_version: number | null;
  outcome: ReportedOutcome | null;
  detail: string | null;
  revision: number | null;
  reported_at_ms: number | null;
}

/**
 * Deployments the relay's operators published, each signed as it is stored, with versions
 * increasing across the fleet, and what each gateway fetched and reported. Kept in
 * `deployments.sqlite` in the relay's data folder.
 */
export class DeploymentStore {
  private readonly db: SqliteDatabase;
  private readonly signer: DeploymentSigner;

  constructor(path: string, signer: DeploymentSigner) {
    this.db = openSqliteDatabase(path, { migrations: MIGRATIONS, owner: "relay deployments" });
    this.signer = signer;
  }

  get signerCertificatePem(): string {
    return this.signer.certificatePem;
  }

  publish(target: DeploymentTarget, config: Record<string, unknown>, nowMs = Date.now()): DeploymentDocument {
    return this.db
      .transaction(() => {
        const last = this.db.prepare("SELECT max(version) FROM deployments").pluck().get() as number | null;
        const document: DeploymentDocument = { version: (last ?? 0) + 1, target, publishedAtMs: nowMs, config };
        const bytes = Buffer.from(JSON.stringify(document));
        this.db
          .prepare("INSERT INTO deployments (version, target, published_at_ms, document, signature) VALUES (?, ?, ?, ?, ?)")
          .run(document.version, target, nowMs, bytes, this.signer.sign(bytes));
        return document;
      })
      .immediate();
  }

  /** The newest deployment of each target. */
  latest(): StoredDeployment[] {
    return this.db
      .prepare(`${STORED_DEPLOYMENTS} WHERE version IN (SELECT max(version) FROM deployments GROUP BY target) ORDER BY version`)
      .all() as StoredDeployment[];
  }

  /** What `gatewayId` should run: its own newest deployment, else the fleet's. */
  desiredFor(gatewayId: string): StoredDeployment | undefined {
    const newest = this.db.prepare(`${STORED_DEPLOYMENTS} WHERE target = ? ORDER BY version DESC LIMIT 1`);
    return (newest.get(gatewayId) ?? newest.get("fleet")) as StoredDeployment | undefined;
  }

  recordFetch(gatewayId: string, appliedVersion: number, nowMs = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO gateway_deployments (gateway_id, applied_version, last_fetch_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (gateway_id) DO UPDATE SET applied_version = excluded.applied_version, last_fetch_at_ms = excluded.last_fetch_at_ms`,
      )
      .run(gatewayId, appliedVersion === 0 ? null : appliedVersion, nowMs);
  }

  recordReport(
    gatewayId: string,
    report: { version: number; outcome: ReportedOutcome; detail: string; revision: number },
    nowMs = Date.now(),
  ): void {
    this.db
      .prepare(
        `INSERT INTO gateway_deployments (gateway_id, reported_version, outcome, detail, revision, reported_at_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (gateway_id) DO UPDATE SET reported_version = excluded.reported_version, outcome = excluded.outcome,
           detail = excluded.detail, revision = excluded.revision, reported_at_ms = excluded.reported_at_ms`,
      )
      .run(gatewayId, report.version, report.outcome, report.detail, report.revision, nowMs);
  }

  /** Every gateway that fetched or has a deployment of its own. */
  statuses(): GatewayDeploymentStatus[] {
    const rows = this.db.prepare("SELECT * FROM gateway_deployments").all() as GatewayRow[];
    const known = new Map(rows.map((row) => [row.gateway_id, row]));
    const targeted = this.db.prepare("SELECT DISTINCT target FROM deployments WHERE target != 'fleet'").pluck().all() as string[];
    return [...new Set([...known.keys(), ...targeted])].sort().map((gatewayId) => {
      const row = known.get(gatewayId);
      return {
        gatewayId,
        desiredVersion: this.desiredFor(gatewayId)?.version,
        appliedVersion: row?.applied_version ?? undefined,
        lastFetchAtMs: row?.last_fetch_at_ms ?? undefined,
        reported:
          row?.reported_version == null
            ? undefined
            : {
                version: row.reported_version,
                outcome: row.outcome ?? "invalid",
                detail: row.detail ?? "",
                revision: row.revision ?? 0,
                atMs: row.reported_at_ms ?? 0,
              },
      };
    });
  }

  close(): void {
    this.db.close();
  }
}
