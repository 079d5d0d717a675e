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

  /** Records a proof's verdict; a proof sent again for the same batch replaces the earlier one. */
  record(proof: LedgerProof): void {
    this.db
      .prepare(
        `INSERT INTO proofs (gateway_id, batch_sequence, valid, proof, public_signals, verified_at_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (gateway_id, batch_sequence) DO UPDATE SET valid = excluded.valid, proof = excluded.proof,
           public_signals = excluded.public_signals, verified_at_ms = excluded.verified_at_ms`,
      )
      .run(
        proof.gatewayId,
        proof.batchSequence,
        proof.valid ? 1 : 0,
        proof.proof,
        JSON.stringify(proof.publicSignals),
        proof.verifiedAtMs,
      );
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
