import type { SqliteDatabase } from "./relay-database.js";

export type AnchorStatus = "pending" | "submitted" | "confirmed";

export interface AnchorRecord {
  id: number;
  root: Uint8Array;
  batchCount: number;
  readingCount: number;
  status: AnchorStatus;
  txHash: string | undefined;
  txNonce: number | undefined;
  submittedAtMs: number | undefined;
  blockNumber: number | undefined;
  blockHash: string | undefined;
}

export interface UnanchoredBatch {
  gatewayId: string;
  sequence: number;
  readingsRoot: Uint8Array;
  readingCount: number;
}

interface AnchorRow {
  id: number;
  root: Buffer;
  batch_count: number;
  reading_count: number;
  status: AnchorStatus;
  tx_hash: string | null;
  tx_nonce: number | null;
  submitted_at_ms: number | null;
  block_number: number | null;
  block_hash: string | null;
}

function toAnchor(row: AnchorRow): AnchorRecord {
  return {
    id: row.id,
    root: new Uint8Array(row.root),
    batchCount: row.batch_count,
    readingCount: row.reading_count,
    status: row.status,
    txHash: row.tx_hash ?? undefined,
    txNonce: row.tx_nonce ?? undefined,
    submittedAtMs: row.submitted_at_ms ?? undefined,
    blockNumber: row.block_number ?? undefined,
    blockHash: row.block_hash ?? undefined,
  };
}

/**
 * Anchors and which batches each covers. An anchor is written as pending, with its
 * batches assigned, before its transaction is sent: after a crash the relay finds it
 * and settles it instead of anchoring those batches again.
 */
export class AnchorLedger {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Batches not yet in any anchor, in the order they arrived. */
  unanchored(limit: number): UnanchoredBatch[] {
    return (
      this.db
        .prepare(
          `SELECT gateway_id, sequence, readings_root, reading_count FROM batches
           WHERE anchor_id IS NULL ORDER BY received_at_ms, gateway_id, sequence LIMIT ?`,
        )
        .all(limit) as { gateway_id: string; sequence: number; readings_root: Buffer; reading_count: number }[]
    ).map((row) => ({
      gatewayId: row.gateway_id,
      sequence: row.sequence,
      readingsRoot: new Uint8Array(row.readings_root),
      readingCount: row.reading_count,
    }));
  }

  /** Creates a pending anchor over `batches` (their order is their leaf order). */
  createPending(root: Uint8Array, batches: readonly UnanchoredBatch[], nowMs: number): AnchorRecord {
    return this.db.transaction(() => {
      const readingCount = batches.reduce((sum, batch) => sum + batch.readingCount, 0);
      const { lastInsertRowid } = this.db
        .prepare("INSERT INTO anchors (root, batch_count, reading_count, status, created_at_ms) VALUES (?, ?, ?, 'pending', ?)")
        .run(Buffer.from(root), batches.length, readingCount, nowMs);
      const assign = this.db.prepare(
        "UPDATE batches SET anchor_id = ?, anchor_position = ? WHERE gateway_id = ? AND sequence = ?",
      );
      batches.forEach((batch, position) => assign.run(lastInsertRowid, position, batch.gatewayId, batch.sequence));
      return this.byId(Number(lastInsertRowid)) as AnchorRecord;
    })();
  }

  /** Records the transaction sent (or adopted) to anchor the root; it replaces any earlier one. */
  markSubmitted(id: number, tx: { hash: string; nonce: number }, nowMs: number): void {
    this.db
      .prepare(
        `UPDATE anchors SET status = 'submitted', tx_hash = ?, tx_nonce = ?, submitted_at_ms = ?, block_number = NULL, block_hash = NULL,
           confirmed_at_ms = NULL WHERE id = ?`,
      )
      .run(tx.hash, tx.nonce, nowMs, id);
  }

  markConfirmed(id: number, block: { number: number; hash: string }, nowMs: number): void {
    this.db
      .prepare("UPDATE anchors SET status = 'confirmed', block_number = ?, block_hash = ?, confirmed_at_ms = ? WHERE id = ?")
      .run(block.number, block.hash, nowMs, id);
  }

  /** Anchors confirmed in or after `fromBlock`: recent enough for a reorganisation to undo them. */
  confirmedSince(fromBlock: number): AnchorRecord[] {
    return (
      this.db
        .prepare("SELECT * FROM anchors WHERE status = 'confirmed' AND block_number >= ? ORDER BY id")
        .all(fromBlock) as AnchorRow[]
    ).map(toAnchor);
  }

  /** Anchors not confirmed yet, oldest first. */
  unsettled(): AnchorRecord[] {
    return (this.db.prepare("SELECT * FROM anchors WHERE status != 'confirmed' ORDER BY id").all() as AnchorRow[]).map(toAnchor);
  }

  byId(id: number): AnchorRecord | undefined {
    const row = this.db.prepare("SELECT * FROM anchors WHERE id = ?").get(id) as AnchorRow | undefined;
    return row && toAnchor(row);
  }

  totals(): { confirmed: number; readingsAnchored: number; unanchoredBatches: number } {
    return this.db
      .prepare(
        `SELECT count(*) AS confirmed, coalesce(sum(reading_count), 0) AS readingsAnchored,
           (SELECT count(*) FROM batches WHERE anchor_id IS NULL) AS unanchoredBatches
         FROM anchors WHERE status = 'confirmed'`,
      )
      .get() as { confirmed: number; readingsAnchored: number; unanchoredBatches: number };
  }
}
