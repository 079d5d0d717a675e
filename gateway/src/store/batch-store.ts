import type { SqliteDatabase } from "./gateway-database.js";

export interface StoredBatch {
  sequence: number;
  batchHash: Uint8Array;
  previousBatchHash: Uint8Array;
  readingsRoot: Uint8Array;
  firstGatewaySeq: number;
  lastGatewaySeq: number;
  sealedAtMs: number;
  signature: Uint8Array;
  ackedAtMs: number | undefined;
}

interface BatchRow {
  sequence: number;
  batch_hash: Buffer;
  previous_batch_hash: Buffer;
  readings_root: Buffer;
  first_gateway_seq: number;
  last_gateway_seq: number;
  sealed_at_ms: number;
  signature: Buffer;
  acked_at_ms: number | null;
}

function toBatch(row: BatchRow): StoredBatch {
  return {
    sequence: row.sequence,
    batchHash: new Uint8Array(row.batch_hash),
    previousBatchHash: new Uint8Array(row.previous_batch_hash),
    readingsRoot: new Uint8Array(row.readings_root),
    firstGatewaySeq: row.first_gateway_seq,
    lastGatewaySeq: row.last_gateway_seq,
    sealedAtMs: row.sealed_at_ms,
    signature: new Uint8Array(row.signature),
    ackedAtMs: row.acked_at_ms ?? undefined,
  };
}

/** Sealed batches and their upload state: the gateway's outbox to the relay. */
export class BatchStore {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  last(): StoredBatch | undefined {
    const row = this.db.prepare("SELECT * FROM batches ORDER BY sequence DESC LIMIT 1").get() as BatchRow | undefined;
    return row && toBatch(row);
  }

  get(sequence: number): StoredBatch | undefined {
    const row = this.db.prepare("SELECT * FROM batches WHERE sequence = ?").get(sequence) as BatchRow | undefined;
    return row && toBatch(row);
  }

  insert(batch: Omit<StoredBatch, "ackedAtMs">): void {
    this.db
      .prepare(
        `INSERT INTO batches (sequence, batch_hash, previous_batch_hash, readings_root, first_gateway_seq, last_gateway_seq, sealed_at_ms, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batch.sequence,
        Buffer.from(batch.batchHash),
        Buffer.from(batch.previousBatchHash),
        Buffer.from(batch.readingsRoot),
        batch.firstGatewaySeq,
        batch.lastGatewaySeq,
        batch.sealedAtMs,
        Buffer.from(batch.signature),
      );
  }

  /**
   * Batches in sequence order from `fromSequence`, acknowledged or not: the relay says
   * where its record ends, and that is where uploading resumes.
   */
  from(fromSequence: number, limit: number): StoredBatch[] {
    return (
      this.db
        .prepare("SELECT * FROM batches WHERE sequence >= ? ORDER BY sequence LIMIT ?")
        .all(fromSequence, limit) as BatchRow[]
    ).map(toBatch);
  }

  /** Records the relay's ack for every batch up to and including `sequence`. */
  markAckedThrough(sequence: number, atMs: number): void {
    this.db.prepare("UPDATE batches SET acked_at_ms = ? WHERE sequence <= ? AND acked_at_ms IS NULL").run(atMs, sequence);
  }

  backlog(): { batches: number; readings: number; oldestSealedAtMs: number | undefined } {
    const row = this.db
      .prepare(
        `SELECT count(*) AS batches, coalesce(sum(last_gateway_seq - first_gateway_seq + 1), 0) AS readings, min(sealed_at_ms) AS oldest
         FROM batches WHERE acked_at_ms IS NULL`,
      )
      .get() as { batches: number; readings: number; oldest: number | null };
    return { batches: row.batches, readings: row.readings, oldestSealedAtMs: row.oldest ?? undefined };
  }

  ackedCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM batches WHERE acked_at_ms IS NOT NULL").get() as { n: number }).n;
  }
}
