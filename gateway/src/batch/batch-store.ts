import type { StreamBounds } from "@intelledger/circuits";
import type { SqliteDatabase } from "../store/gateway-database.js";

export interface StoredBatch {
  sequence: number;
  batchHash: Uint8Array;
  previousBatchHash: Uint8Array;
  readingsRoot: Uint8Array;
  dataClass: number;
  readingCount: number;
  firstGatewaySeq: number;
  lastGatewaySeq: number;
  sealedAtMs: number;
  signature: Uint8Array;
  /** The streams committed with bounds narrower than int32; every other stream of the batch is unbounded. */
  streamBounds: StreamBounds[];
  ackedAtMs: number | undefined;
  releasedAtMs: number | undefined;
  /** The encoded Pruned record, when the readings were deleted to free space. */
  pruned: Uint8Array | undefined;
  prunedSignature: Uint8Array | undefined;
}

interface BatchRow {
  sequence: number;
  batch_hash: Buffer;
  previous_batch_hash: Buffer;
  readings_root: Buffer;
  data_class: number;
  reading_count: number;
  first_gateway_seq: number;
  last_gateway_seq: number;
  sealed_at_ms: number;
  signature: Buffer;
  stream_bounds: string;
  acked_at_ms: number | null;
  released_at_ms: number | null;
  pruned: Buffer | null;
  pruned_signature: Buffer | null;
}

const bytesOrUndefined = (value: Buffer | null) => (value === null ? undefined : new Uint8Array(value));

function toBatch(row: BatchRow): StoredBatch {
  return {
    sequence: row.sequence,
    batchHash: new Uint8Array(row.batch_hash),
    previousBatchHash: new Uint8Array(row.previous_batch_hash),
    readingsRoot: new Uint8Array(row.readings_root),
    dataClass: row.data_class,
    readingCount: row.reading_count,
    firstGatewaySeq: row.first_gateway_seq,
    lastGatewaySeq: row.last_gateway_seq,
    sealedAtMs: row.sealed_at_ms,
    signature: new Uint8Array(row.signature),
    streamBounds: JSON.parse(row.stream_bounds) as StreamBounds[],
    ackedAtMs: row.acked_at_ms ?? undefined,
    releasedAtMs: row.released_at_ms ?? undefined,
    pruned: bytesOrUndefined(row.pruned),
    prunedSignature: bytesOrUndefined(row.pruned_signature),
  };
}

export interface Backlog {
  batches: number;
  readings: number;
  oldestSealedAtMs: number | undefined;
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

  insert(batch: Omit<StoredBatch, "ackedAtMs" | "releasedAtMs" | "pruned" | "prunedSignature">): void {
    this.db
      .prepare(
        `INSERT INTO batches (sequence, batch_hash, previous_batch_hash, readings_root, data_class, reading_count,
           first_gateway_seq, last_gateway_seq, sealed_at_ms, signature, stream_bounds)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batch.sequence,
        Buffer.from(batch.batchHash),
        Buffer.from(batch.previousBatchHash),
        Buffer.from(batch.readingsRoot),
        batch.dataClass,
        batch.readingCount,
        batch.firstGatewaySeq,
        batch.lastGatewaySeq,
        batch.sealedAtMs,
        Buffer.from(batch.signature),
        JSON.stringify(batch.streamBounds),
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

  /** The last gateway_seq sealed in each data class. */
  sealedThrough(): Map<number, number> {
    const rows = this.db.prepare("SELECT data_class, max(last_gateway_seq) AS seq FROM batches GROUP BY data_class").all() as {
      data_class: number;
      seq: number;
    }[];
    return new Map(rows.map((row) => [row.data_class, row.seq]));
  }

  /** Records the relay's ack for every batch up to and including `sequence`. */
  markAckedThrough(sequence: number, atMs: number): void {
    this.db.prepare("UPDATE batches SET acked_at_ms = ? WHERE sequence <= ? AND acked_at_ms IS NULL").run(atMs, sequence);
  }

  markPruned(sequence: number, pruned: Uint8Array, signature: Uint8Array): void {
    this.db
      .prepare("UPDATE batches SET pruned = ?, pruned_signature = ? WHERE sequence = ?")
      .run(Buffer.from(pruned), Buffer.from(signature), sequence);
  }

  /** The oldest unacknowledged batch that still holds readings, of the lowest data class that has one. */
  oldestUnackedOfLowestClass(): StoredBatch | undefined {
    const row = this.db
      .prepare("SELECT * FROM batches WHERE acked_at_ms IS NULL AND pruned IS NULL ORDER BY data_class, sequence LIMIT 1")
      .get() as BatchRow | undefined;
    return row && toBatch(row);
  }

  oldestUnacked(): StoredBatch | undefined {
    const row = this.db
      .prepare("SELECT * FROM batches WHERE acked_at_ms IS NULL AND pruned IS NULL ORDER BY sequence LIMIT 1")
      .get() as BatchRow | undefined;
    return row && toBatch(row);
  }

  /** Acknowledged batches whose readings are still on disk, oldest first. */
  ackedWithReadings(ackedBeforeMs: number, limit: number): StoredBatch[] {
    return (
      this.db
        .prepare(
          "SELECT * FROM batches WHERE acked_at_ms < ? AND released_at_ms IS NULL AND pruned IS NULL ORDER BY sequence LIMIT ?",
        )
        .all(ackedBeforeMs, limit) as BatchRow[]
    ).map(toBatch);
  }

  /** Records that an acknowledged batch's readings were deleted locally (the relay holds them). */
  markReleased(sequence: number, atMs: number): void {
    this.db.prepare("UPDATE batches SET released_at_ms = ? WHERE sequence = ? AND acked_at_ms IS NOT NULL").run(atMs, sequence);
  }

  backlog(): Backlog {
    const row = this.db
      .prepare(
        `SELECT count(*) AS batches, coalesce(sum(CASE WHEN pruned IS NULL THEN reading_count ELSE 0 END), 0) AS readings,
           min(sealed_at_ms) AS oldest
         FROM batches WHERE acked_at_ms IS NULL`,
      )
      .get() as { batches: number; readings: number; oldest: number | null };
    return { batches: row.batches, readings: row.readings, oldestSealedAtMs: row.oldest ?? undefined };
  }

  /** Batches sealed and acknowledged so far, and the readings they were sealed with. */
  totals(): { sealed: number; acked: number; sealedReadings: number } {
    return this.db
      .prepare(
        `SELECT count(*) AS sealed, count(acked_at_ms) AS acked, coalesce(sum(reading_count), 0) AS sealedReadings FROM batches`,
      )
      .get() as { sealed: number; acked: number; sealedReadings: number };
  }
}
