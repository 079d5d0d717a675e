import type { SqlDatabase } from "./sql-database.js";
import { storedProofColumns, storedProofOf, type StoredProof, type StoredProofRow } from "./stored-proof.js";

export interface LedgerProof extends StoredProof {
  gatewayId: string;
  batchSequence: number;
  valid: boolean;
  verifiedAtMs: number;
}

/** The proofs gateways sent for their batches, and whether each verified. */
export class ProofLedger {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Records a proof's verdict unless the batch has one already: the first proof of a batch is
   * kept, never replaced. Returns whether this one was recorded.
   */
  async record(proof: LedgerProof): Promise<boolean> {
    const changes = await this.db.run(
      `INSERT INTO proofs (gateway_id, batch_sequence, valid, proof, public_signals, verified_at_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (gateway_id, batch_sequence) DO NOTHING`,
      [proof.gatewayId, proof.batchSequence, proof.valid ? 1 : 0, ...storedProofColumns(proof), proof.verifiedAtMs],
    );
    return changes === 1;
  }

  async get(gatewayId: string, batchSequence: number): Promise<LedgerProof | undefined> {
    const row = await this.db.get<
      StoredProofRow & { gateway_id: string; batch_sequence: number; valid: number; verified_at_ms: number }
    >("SELECT * FROM proofs WHERE gateway_id = ? AND batch_sequence = ?", [gatewayId, batchSequence]);
    return (
      row && {
        gatewayId: row.gateway_id,
        batchSequence: row.batch_sequence,
        valid: row.valid === 1,
        ...storedProofOf(row),
        verifiedAtMs: row.verified_at_ms,
      }
    );
  }

  async totals(): Promise<{ verified: number; invalid: number }> {
    const row = await this.db.get<{ verified: number; invalid: number }>(
      `SELECT coalesce(sum(CASE WHEN valid = 1 THEN 1 ELSE 0 END), 0) AS verified,
         coalesce(sum(CASE WHEN valid = 0 THEN 1 ELSE 0 END), 0) AS invalid FROM proofs`,
    );
    return row ?? { verified: 0, invalid: 0 };
  }
}
