import type { SqliteDatabase } from "./relay-database.js";

export interface LedgerProof {
  gatewayId: string;
  batchSequence: number;
  valid: boolean;
  proof: string;
  publicSignals: string[];
  verifiedAtMs: number;
}

/** The proofs gateways sent for their batches, and whether each verified. */
export class ProofLedger {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /**
   * Records a proof's verdict unless the batch has one already: the first proof of a batch is
   * kept, never replaced. Returns whether this one was recorded.
   */
  record(proof: LedgerProof): boolean {
    const { changes } = this.db
      .prepare(
        `INSERT INTO proofs (gateway_id, batch_sequence, valid, proof, public_signals, verified_at_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (gateway_id, batch_sequence) DO NOTHING`,
      )
      .run(
        proof.gatewayId,
        proof.batchSequence,
        proof.valid ? 1 : 0,
        proof.proof,
        JSON.stringify(proof.publicSignals),
        proof.verifiedAtMs,
      );
    return changes === 1;
  }

  get(gatewayId: string, batchSequence: number): LedgerProof | undefined {
    const row = this.db
      .prepare("SELECT * FROM proofs WHERE gateway_id = ? AND batch_sequence = ?")
      .get(gatewayId, batchSequence) as
      | {
          gateway_id: string;
          batch_sequence: number;
          valid: number;
          proof: string;
          public_signals: string;
          verified_at_ms: number;
        }
      | undefined;
    return (
      row && {
        gatewayId: row.gateway_id,
        batchSequence: row.batch_sequence,
        valid: row.valid === 1,
        proof: row.proof,
        publicSignals: JSON.parse(row.public_signals) as string[],
        verifiedAtMs: row.verified_at_ms,
      }
    );
  }

  totals(): { verified: number; invalid: number } {
    return this.db
      .prepare("SELECT coalesce(sum(valid = 1), 0) AS verified, coalesce(sum(valid = 0), 0) AS invalid FROM proofs")
      .get() as {
      verified: number;
      invalid: number;
    };
  }
}
