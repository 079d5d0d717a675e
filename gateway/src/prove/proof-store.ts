import type { BatchProof } from "@intelledger/circuits";
import { HOLDING_READINGS, sqlStates } from "../batch/batch-state.js";
import type { SqliteDatabase } from "../store/gateway-database.js";

/** A proof as it goes to the relay: the snarkjs proof still in its stored JSON. */
export interface ProofToUpload {
  sequence: number;
  proofJson: string;
  publicSignals: string[];
}

/**
 * The proofs table: a batch's proof is made once (while its readings are here), sent after
 * the batch, and marked with the relay's verdict. The outbox (batch/batch-outbox.ts) is its
 * only writer.
 */
export class ProofStore {
  private readonly statements;

  // Prepared once: the uploader asks for proofs to upload with every batch it sends.
  constructor(db: SqliteDatabase) {
    this.statements = {
      unproven: db
        .prepare(
          `SELECT sequence FROM batches WHERE state IN (${sqlStates(HOLDING_READINGS)})
             AND sequence NOT IN (SELECT batch_sequence FROM proofs) ORDER BY sequence LIMIT ?`,
        )
        .pluck(),
      uploadedAt: db.prepare("SELECT uploaded_at_ms FROM proofs WHERE batch_sequence = ?"),
      insert: db.prepare("INSERT INTO proofs (batch_sequence, proof, public_signals, proved_at_ms) VALUES (?, ?, ?, ?)"),
      toUpload: db.prepare(
        `SELECT batch_sequence, proof, public_signals FROM proofs
         WHERE uploaded_at_ms IS NULL AND batch_sequence <= ? ORDER BY batch_sequence LIMIT ?`,
      ),
      markUploaded: db.prepare("UPDATE proofs SET uploaded_at_ms = ?, valid = ? WHERE batch_sequence = ?"),
      totals: db.prepare(
        "SELECT count(*) AS proved, count(uploaded_at_ms) AS uploaded, coalesce(sum(valid = 0), 0) AS invalid FROM proofs",
      ),
    };
  }

  /** Batches whose readings are still here and that have no proof, oldest first. */
  unproven(limit: number): number[] {
    return this.statements.unproven.all(limit) as number[];
  }

  /** Whether the batch has a proof, and whether the relay gave its verdict on it. */
  stateOf(sequence: number): "unproven" | "proved" | "judged" {
    const row = this.statements.uploadedAt.get(sequence) as { uploaded_at_ms: number | null } | undefined;
    if (!row) return "unproven";
    return row.uploaded_at_ms === null ? "proved" : "judged";
  }

  insert(sequence: number, proof: BatchProof, atMs: number): void {
    this.statements.insert.run(sequence, JSON.stringify(proof.proof), JSON.stringify(proof.publicSignals), atMs);
  }

  /** Proofs not uploaded yet, of batches up to `throughSequence` (the relay must hold the batch first). */
  toUpload(throughSequence: number, limit: number): ProofToUpload[] {
    return (
      this.statements.toUpload.all(throughSequence, limit) as { batch_sequence: number; proof: string; public_signals: string }[]
    ).map((row) => ({
      sequence: row.batch_sequence,
      proofJson: row.proof,
      publicSignals: JSON.parse(row.public_signals) as string[],
    }));
  }

  markUploaded(sequence: number, valid: boolean, atMs: number): void {
    this.statements.markUploaded.run(atMs, valid ? 1 : 0, sequence);
  }

  totals(): { proved: number; uploaded: number; invalid: number } {
    return this.statements.totals.get() as { proved: number; uploaded: number; invalid: number };
  }
}
