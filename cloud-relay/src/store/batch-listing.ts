import type { BatchRow } from "./batch-ledger.js";
import type { SqlDatabase } from "./sql-database.js";

/** Where a stored batch stands: waiting for an anchor, in one being sent, or in a confirmed one. */
export type BatchState = "stored" | "anchoring" | "anchored";

/** One of a gateway's batches as operators see it. */
export interface ListedBatch {
  sequence: number;
  state: BatchState;
  dataClass: number;
  readingCount: number;
  firstGatewaySeq: number;
  lastGatewaySeq: number;
  sealedAtMs: number;
  receivedAtMs: number;
  /** Its readings were removed on the gateway before upload; a gap stands in for them. */
  pruned: boolean;
  /** The batch proof the relay recorded: none yet, or whether it verified. */
  proof: "none" | "valid" | "invalid";
  anchorId: number | undefined;
  transactionHash: string | undefined;
  blockNumber: number | undefined;
}

type ListedRow = Pick<
  BatchRow,
  "sequence" | "data_class" | "reading_count" | "first_gateway_seq" | "last_gateway_seq" | "sealed_at_ms" | "received_at_ms"
> & {
  pruned: number;
  proof_valid: number | null;
  anchor_id: number | null;
  anchor_status: string | null;
  tx_hash: string | null;
  block_number: number | null;
};

/** A gateway's batches, newest first, for `relay batches` and GET /v1/gateways/<gateway>/batches. */
export class BatchListing {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Up to `limit` batches below `beforeSequence` (all the newest when unset), newest first. */
  async list(gatewayId: string, options: { beforeSequence?: number | undefined; limit: number }): Promise<ListedBatch[]> {
    const rows = await this.db.all<ListedRow>(
      `SELECT b.sequence, b.data_class, b.reading_count, b.first_gateway_seq, b.last_gateway_seq, b.sealed_at_ms,
         b.received_at_ms, CASE WHEN g.batch_sequence IS NULL THEN 0 ELSE 1 END AS pruned, p.valid AS proof_valid,
         b.anchor_id, a.status AS anchor_status, a.tx_hash, a.block_number
       FROM batches b
         LEFT JOIN anchors a ON a.id = b.anchor_id
         LEFT JOIN proofs p ON p.gateway_id = b.gateway_id AND p.batch_sequence = b.sequence
         LEFT JOIN gaps g ON g.gateway_id = b.gateway_id AND g.batch_sequence = b.sequence
       WHERE b.gateway_id = ? AND b.sequence < ?
       ORDER BY b.sequence DESC LIMIT ?`,
      [gatewayId, options.beforeSequence ?? Number.MAX_SAFE_INTEGER, options.limit],
    );
    return rows.map((row) => ({
      sequence: row.sequence,
      state: row.anchor_status === "confirmed" ? "anchored" : row.anchor_status === null ? "stored" : "anchoring",
      dataClass: row.data_class,
      readingCount: row.reading_count,
      firstGatewaySeq: row.first_gateway_seq,
      lastGatewaySeq: row.last_gateway_seq,
      sealedAtMs: row.sealed_at_ms,
      receivedAtMs: row.received_at_ms,
      pruned: row.pruned === 1,
      proof: row.proof_valid === null ? "none" : row.proof_valid ? "valid" : "invalid",
      anchorId: row.anchor_id ?? undefined,
      transactionHash: row.tx_hash ?? undefined,
      blockNumber: row.block_number ?? undefined,
    }));
  }
}
