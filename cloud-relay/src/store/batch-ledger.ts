import { Batch, type BatchHeader } from "@intelledger/proto/relay";
import { RelayRefusal } from "../errors.js";
import type { SqliteDatabase } from "./relay-database.js";

export interface LedgerBatch extends BatchHeader {
  batchHash: Uint8Array;
  receivedAtMs: number;
  signature: Uint8Array;
  /** The encoded Batch as the gateway sent it; empty for a pruned batch. */
  payload: Uint8Array;
}

/** A gateway's signed account of readings it removed before uploading them. */
export interface LedgerGap extends Pick<BatchHeader, "gatewayId" | "readingCount" | "firstGatewaySeq" | "lastGatewaySeq"> {
  batchSequence: number;
  reason: string;
  pruned: Uint8Array;
  prunedSignature: Uint8Array;
  receivedAtMs: number;
}

export interface ChainHead {
  sequence: number;
  batchHash: Uint8Array;
  lastGatewaySeq: number;
}

interface BatchRow {
  gateway_id: string;
  sequence: number;
  batch_hash: Buffer;
  previous_batch_hash: Buffer;
  readings_root: Buffer;
  first_gateway_seq: number;
  last_gateway_seq: number;
  reading_count: number;
  data_class: number;
  sealed_at_ms: number;
  received_at_ms: number;
  signature: Buffer;
  payload: Buffer;
}

function toLedgerBatch(row: BatchRow): LedgerBatch {
  return {
    gatewayId: row.gateway_id,
    sequence: row.sequence,
    batchHash: new Uint8Array(row.batch_hash),
    previousBatchHash: new Uint8Array(row.previous_batch_hash),
    readingsRoot: new Uint8Array(row.readings_root),
    firstGatewaySeq: row.first_gateway_seq,
    lastGatewaySeq: row.last_gateway_seq,
    readingCount: row.reading_count,
    dataClass: row.data_class,
    sealedAtMs: row.sealed_at_ms,
    receivedAtMs: row.received_at_ms,
    signature: new Uint8Array(row.signature),
    payload: new Uint8Array(row.payload),
  };
}

/** Gateways and the chains of batches they delivered. */
export class BatchLedger {
  private readonly db: SqliteDatabase;
  private readonly insertBatch;
  private readonly insertGap;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.insertBatch = db.prepare(
      `INSERT INTO batches (gateway_id, sequence, batch_hash, previous_batch_hash, readings_root, first_gateway_seq,
         last_gateway_seq, reading_count, data_class, sealed_at_ms, received_at_ms, signature, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertGap = db.prepare(
      `INSERT INTO gaps (gateway_id, batch_sequence, reason, reading_count, first_gateway_seq, last_gateway_seq, pruned,
         pruned_signature, received_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Records a gateway's registration or return. */
  touchGateway(gatewayId: string, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO gateways (gateway_id, registered_at_ms, last_seen_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (gateway_id) DO UPDATE SET last_seen_at_ms = excluded.last_seen_at_ms`,
      )
      .run(gatewayId, nowMs, nowMs);
  }

  recordHeartbeat(gatewayId: string, nowMs: number, backlog: { batches: number; readings: number }): void {
    this.db
      .prepare("UPDATE gateways SET last_seen_at_ms = ?, backlog_batches = ?, backlog_readings = ? WHERE gateway_id = ?")
      .run(nowMs, backlog.batches, backlog.readings, gatewayId);
  }

  /** Readings all gateways last reported waiting to upload. */
  reportedBacklogReadings(): number {
    return (this.db.prepare("SELECT coalesce(sum(backlog_readings), 0) AS n FROM gateways").get() as { n: number }).n;
  }

  /** The last batch stored for the gateway, or undefined if none. */
  head(gatewayId: string): ChainHead | undefined {
    const row = this.db
      .prepare("SELECT sequence, batch_hash, last_gateway_seq FROM batches WHERE gateway_id = ? ORDER BY sequence DESC LIMIT 1")
      .get(gatewayId) as Pick<BatchRow, "sequence" | "batch_hash" | "last_gateway_seq"> | undefined;
    return row && { sequence: row.sequence, batchHash: new Uint8Array(row.batch_hash), lastGatewaySeq: row.last_gateway_seq };
  }

  /** How far a gateway's batches reach in its gateway_seq numbering and how many readings they declare (pruned ones included). */
  accounting(gatewayId: string): { frontier: number; accounted: number } {
    return this.db
      .prepare(
        "SELECT coalesce(max(last_gateway_seq), 0) AS frontier, coalesce(sum(reading_count), 0) AS accounted FROM batches WHERE gateway_id = ?",
      )
      .get(gatewayId) as { frontier: number; accounted: number };
  }

  /** The hash of a stored batch, to answer a resend of it. */
  batchHashOf(gatewayId: string, sequence: number): Uint8Array | undefined {
    const row = this.db
      .prepare("SELECT batch_hash FROM batches WHERE gateway_id = ? AND sequence = ?")
      .get(gatewayId, sequence) as { batch_hash: Buffer } | undefined;
    return row && new Uint8Array(row.batch_hash);
  }

  get(gatewayId: string, sequence: number): LedgerBatch | undefined {
    const row = this.db.prepare("SELECT * FROM batches WHERE gateway_id = ? AND sequence = ?").get(gatewayId, sequence) as
      BatchRow | undefined;
    return row && toLedgerBatch(row);
  }

  /** The batch holding a gateway's reading: batches of different data classes interleave, so the range alone does not tell. */
  containing(gatewayId: string, gatewaySeq: number): LedgerBatch | undefined {
    const candidates = this.db
      .prepare(
        `SELECT * FROM batches WHERE gateway_id = ? AND first_gateway_seq <= ? AND last_gateway_seq >= ? ORDER BY sequence`,
      )
      .all(gatewayId, gatewaySeq, gatewaySeq) as BatchRow[];
    if (candidates.length <= 1) return candidates[0] && toLedgerBatch(candidates[0]);
    return candidates
      .map(toLedgerBatch)
      .find(
        (batch) =>
          batch.payload.length === 0 || Batch.decode(batch.payload).readings.some((reading) => reading.gatewaySeq === gatewaySeq),
      );
  }

  /** The anchor a batch went into and its leaf index there, once it has one. */
  anchorOf(gatewayId: string, sequence: number): { anchorId: number; position: number } | undefined {
    const row = this.db
      .prepare("SELECT anchor_id, anchor_position FROM batches WHERE gateway_id = ? AND sequence = ? AND anchor_id IS NOT NULL")
      .get(gatewayId, sequence) as { anchor_id: number; anchor_position: number } | undefined;
    return row && { anchorId: row.anchor_id, position: row.anchor_position };
  }

  /** The batches an anchor covers, in their leaf order. */
  byAnchor(anchorId: number): LedgerBatch[] {
    return (
      this.db.prepare("SELECT * FROM batches WHERE anchor_id = ? ORDER BY anchor_position").all(anchorId) as BatchRow[]
    ).map(toLedgerBatch);
  }

  /** The last gateway_seq stored for one data class of the gateway, or 0. */
  classHead(gatewayId: string, dataClass: number): number {
    const row = this.db
      .prepare("SELECT last_gateway_seq FROM batches WHERE gateway_id = ? AND data_class = ? ORDER BY sequence DESC LIMIT 1")
      .get(gatewayId, dataClass) as { last_gateway_seq: number } | undefined;
    return row?.last_gateway_seq ?? 0;
  }

  /**
   * Stores batches, and the gaps pruned ones declare, in one transaction. A batch another
   * writer stored first (another relay process on the same database) fails the whole
   * transaction with an `aborted` refusal: the gateway registers again and resumes.
   */
  appendAll(entries: readonly { batch: LedgerBatch; gap: LedgerGap | undefined }[]): void {
    try {
      this.db.transaction(() => {
        for (const { batch, gap } of entries) this.insert(batch, gap);
      })();
    } catch (error) {
      if (!isConstraintViolation(error)) throw error;
      throw new RelayRefusal(
        "aborted",
        "stored_concurrently",
        "another upload stored these batches first; register again to learn where the chain stands",
        { batches: entries.length, firstSequence: entries[0]?.batch.sequence ?? 0 },
        { cause: error },
      );
    }
  }

  private insert(batch: LedgerBatch, gap: LedgerGap | undefined): void {
    this.insertBatch.run(
      batch.gatewayId,
      batch.sequence,
      Buffer.from(batch.batchHash),
      Buffer.from(batch.previousBatchHash),
      Buffer.from(batch.readingsRoot),
      batch.firstGatewaySeq,
      batch.lastGatewaySeq,
      batch.readingCount,
      batch.dataClass,
      batch.sealedAtMs,
      batch.receivedAtMs,
      Buffer.from(batch.signature),
      Buffer.from(batch.payload),
    );
    if (!gap) return;
    this.insertGap.run(
      gap.gatewayId,
      gap.batchSequence,
      gap.reason,
      gap.readingCount,
      gap.firstGatewaySeq,
      gap.lastGatewaySeq,
      Buffer.from(gap.pruned),
      Buffer.from(gap.prunedSignature),
      gap.receivedAtMs,
    );
  }

  /** The gaps a gateway declared, in batch order. */
  gaps(gatewayId: string): LedgerGap[] {
    const rows = this.db.prepare("SELECT * FROM gaps WHERE gateway_id = ? ORDER BY batch_sequence").all(gatewayId) as {
      gateway_id: string;
      batch_sequence: number;
      reason: string;
      reading_count: number;
      first_gateway_seq: number;
      last_gateway_seq: number;
      pruned: Buffer;
      pruned_signature: Buffer;
      received_at_ms: number;
    }[];
    return rows.map((row) => ({
      gatewayId: row.gateway_id,
      batchSequence: row.batch_sequence,
      reason: row.reason,
      readingCount: row.reading_count,
      firstGatewaySeq: row.first_gateway_seq,
      lastGatewaySeq: row.last_gateway_seq,
      pruned: new Uint8Array(row.pruned),
      prunedSignature: new Uint8Array(row.pruned_signature),
      receivedAtMs: row.received_at_ms,
    }));
  }

  totals(): { gateways: number; batches: number; readings: number; gaps: number; readingsInGaps: number } {
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM gateways) AS gateways, count(*) AS batches,
           coalesce(sum(reading_count), 0) - (SELECT coalesce(sum(reading_count), 0) FROM gaps) AS readings,
           (SELECT count(*) FROM gaps) AS gaps, (SELECT coalesce(sum(reading_count), 0) FROM gaps) AS readingsInGaps
         FROM batches`,
      )
      .get() as { gateways: number; batches: number; readings: number; gaps: number; readingsInGaps: number };
  }
}

/** A batch (or its gap) already stored: its key taken by another writer. */
function isConstraintViolation(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}
