import type { SqliteDatabase } from "./relay-database.js";

export interface LedgerBatch {
  gatewayId: string;
  sequence: number;
  batchHash: Uint8Array;
  previousBatchHash: Uint8Array;
  readingsRoot: Uint8Array;
  firstGatewaySeq: number;
  lastGatewaySeq: number;
  readingCount: number;
  sealedAtMs: number;
  receivedAtMs: number;
  signature: Uint8Array;
  /** The encoded Batch as the gateway sent it. */
  payload: Uint8Array;
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
    sealedAtMs: row.sealed_at_ms,
    receivedAtMs: row.received_at_ms,
    signature: new Uint8Array(row.signature),
    payload: new Uint8Array(row.payload),
  };
}

/** Gateways and the chains of batches they delivered. */
export class BatchLedger {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
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

  /** The last batch stored for the gateway, or undefined if none. */
  head(gatewayId: string): ChainHead | undefined {
    const row = this.db
      .prepare("SELECT sequence, batch_hash, last_gateway_seq FROM batches WHERE gateway_id = ? ORDER BY sequence DESC LIMIT 1")
      .get(gatewayId) as Pick<BatchRow, "sequence" | "batch_hash" | "last_gateway_seq"> | undefined;
    return row && { sequence: row.sequence, batchHash: new Uint8Array(row.batch_hash), lastGatewaySeq: row.last_gateway_seq };
  }

  get(gatewayId: string, sequence: number): LedgerBatch | undefined {
    const row = this.db.prepare("SELECT * FROM batches WHERE gateway_id = ? AND sequence = ?").get(gatewayId, sequence) as
      BatchRow | undefined;
    return row && toLedgerBatch(row);
  }

  /** The batches an anchor covers, in their leaf order. */
  byAnchor(anchorId: number): LedgerBatch[] {
    return (
      this.db.prepare("SELECT * FROM batches WHERE anchor_id = ? ORDER BY anchor_position").all(anchorId) as BatchRow[]
    ).map(toLedgerBatch);
  }

  append(batch: LedgerBatch): void {
    this.db
      .prepare(
        `INSERT INTO batches (gateway_id, sequence, batch_hash, previous_batch_hash, readings_root, first_gateway_seq,
           last_gateway_seq, reading_count, sealed_at_ms, received_at_ms, signature, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batch.gatewayId,
        batch.sequence,
        Buffer.from(batch.batchHash),
        Buffer.from(batch.previousBatchHash),
        Buffer.from(batch.readingsRoot),
        batch.firstGatewaySeq,
        batch.lastGatewaySeq,
        batch.readingCount,
        batch.sealedAtMs,
        batch.receivedAtMs,
        Buffer.from(batch.signature),
        Buffer.from(batch.payload),
      );
  }

  totals(): { gateways: number; batches: number; readings: number } {
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM gateways) AS gateways, count(*) AS batches, coalesce(sum(reading_count), 0) AS readings FROM batches`,
      )
      .get() as { gateways: number; batches: number; readings: number };
  }
}
