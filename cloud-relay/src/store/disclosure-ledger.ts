import type { SqlDatabase } from "./sql-database.js";
import { storedProofColumns, storedProofOf, type StoredProof, type StoredProofRow } from "./stored-proof.js";

/** A reading's disclosure proof, made by the relay for its receipt. */
export interface LedgerDisclosure extends StoredProof {
  gatewayId: string;
  gatewaySeq: number;
  madeAtMs: number;
}

/**
 * The disclosure proofs the relay made for receipts, one per reading: made once, on the
 * reading's first receipt, and served from here after.
 */
export class DisclosureLedger {
  constructor(private readonly db: SqlDatabase) {}

  /** Keeps a reading's disclosure unless it has one already (another replica may have made it first). */
  async record(disclosure: LedgerDisclosure): Promise<void> {
    await this.db.run(
      `INSERT INTO disclosures (gateway_id, gateway_seq, proof, public_signals, made_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (gateway_id, gateway_seq) DO NOTHING`,
      [disclosure.gatewayId, disclosure.gatewaySeq, ...storedProofColumns(disclosure), disclosure.madeAtMs],
    );
  }

  async get(gatewayId: string, gatewaySeq: number): Promise<LedgerDisclosure | undefined> {
    const row = await this.db.get<StoredProofRow & { gateway_id: string; gateway_seq: number; made_at_ms: number }>(
      "SELECT * FROM disclosures WHERE gateway_id = ? AND gateway_seq = ?",
      [gatewayId, gatewaySeq],
    );
    return (
      row && {
        gatewayId: row.gateway_id,
        gatewaySeq: Number(row.gateway_seq),
        ...storedProofOf(row),
        madeAtMs: Number(row.made_at_ms),
      }
    );
  }
}
