import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RelayConfig } from "../config.js";
import { SoleLeadership, type AnchorLeadership } from "./anchor-leadership.js";
import { AnchorLag } from "./anchor-lag.js";
import { AnchorLedger } from "./anchor-ledger.js";
import { BatchLedger } from "./batch-ledger.js";
import { BatchListing } from "./batch-listing.js";
import { DisclosureLedger } from "./disclosure-ledger.js";
import { FleetView } from "./fleet-view.js";
import { GatewayAccessLedger } from "./gateway-access.js";
import { GatewayBoots } from "./gateway-boots.js";
import { AdvisoryLockLeadership } from "./postgres-leadership.js";
import { PostgresSqlDatabase } from "./postgres-sql-database.js";
import { ProofLedger } from "./proof-ledger.js";
import type { SqlDatabase } from "./sql-database.js";
import { SqliteSqlDatabase } from "./sqlite-sql-database.js";

/** Everything the relay keeps, on whichever backend its configuration names. */
export interface RelayStore {
  readonly backend: SqlDatabase["backend"];
  readonly batches: BatchLedger;
  readonly anchors: AnchorLedger;
  readonly proofs: ProofLedger;
  readonly disclosures: DisclosureLedger;
  readonly boots: GatewayBoots;
  readonly fleet: FleetView;
  /** Revocations, address allowlists and rate limits per gateway. */
  readonly access: GatewayAccessLedger;
  readonly batchListing: BatchListing;
  readonly leadership: AnchorLeadership;
  readonly anchorLag: AnchorLag;
  /** Resolves once the database took a write; rejects with why it did not. */
  checkWrites(nowMs: number): Promise<void>;
  close(): Promise<void>;
}

function storeOn(db: SqlDatabase, leadership: AnchorLeadership, fleet: RelayConfig["fleet"]): RelayStore {
  return {
    backend: db.backend,
    batches: new BatchLedger(db),
    anchors: new AnchorLedger(db),
    proofs: new ProofLedger(db),
    disclosures: new DisclosureLedger(db),
    boots: new GatewayBoots(db),
    fleet: new FleetView(db, fleet),
    access: new GatewayAccessLedger(db),
    batchListing: new BatchListing(db),
    leadership,
    anchorLag: new AnchorLag(db),
    async checkWrites(nowMs) {
      await db.run(
        `INSERT INTO health_checks (id, checked_at_ms) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET checked_at_ms = excluded.checked_at_ms`,
        [nowMs],
      );
    },
    async close() {
      await leadership.close();
      await db.close();
    },
  };
}

/**
 * Opens the relay's store: SQLite in `<dataDir>/relay.sqlite` unless `database.url` names a
 * PostgreSQL database, which several replicas may share. Either is brought to the current schema.
 */
export async function openRelayStore(
  config: Pick<RelayConfig, "dataDir" | "database" | "fleet">,
  holder = `${hostname()}:${process.pid}`,
): Promise<RelayStore> {
  const { url, passwordFile, poolSize } = config.database;
  if (url === undefined) {
    const db = new SqliteSqlDatabase(join(config.dataDir, "relay.sqlite"));
    return storeOn(db, new SoleLeadership(db, holder), config.fleet);
  }
  const options = {
    url,
    poolSize,
    ...(passwordFile !== undefined && { password: readFileSync(passwordFile, "utf8").trim() }),
  };
  const db = await PostgresSqlDatabase.open(options);
  return storeOn(db, new AdvisoryLockLeadership(PostgresSqlDatabase.clientConfig(options), db, holder), config.fleet);
}
