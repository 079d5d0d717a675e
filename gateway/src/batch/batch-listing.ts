import type { AnchoredBatch } from "@intelledger/proto/relay";
import type { BatchView } from "../http/api-views.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import type { BatchState } from "./batch-state.js";
import type { BatchRow } from "./batch-store.js";

export interface ListedBatch extends BatchView {
  state: BatchState;
}

type LedgerRow = Pick<
  BatchRow,
  | "sequence"
  | "data_class"
  | "reading_count"
  | "first_gateway_seq"
  | "last_gateway_seq"
  | "sealed_at_ms"
  | "state"
  | "acked_at_ms"
> & {
  proved_at_ms: number | null;
  uploaded_at_ms: number | null;
  valid: number | null;
};

const ACKNOWLEDGED: readonly BatchState[] = ["acknowledged", "released", "gap-acknowledged"];

/**
 * The batches as a technician follows them to the chain, newest first, with their proofs and,
 * from the relay's heartbeats, how far they are anchored: the relay anchors a gateway's
 * batches in sequence order, so every acknowledged batch up to the newest anchored one is in
 * a confirmed anchor.
 */
export class BatchListing {
  private readonly page;

  constructor(db: SqliteDatabase) {
    this.page = db.prepare(
      `SELECT b.sequence, b.data_class, b.reading_count, b.first_gateway_seq, b.last_gateway_seq, b.sealed_at_ms,
         b.state, b.acked_at_ms, p.proved_at_ms, p.uploaded_at_ms, p.valid
       FROM batches b LEFT JOIN proofs p ON p.batch_sequence = b.sequence
       WHERE b.sequence < ? ORDER BY b.sequence DESC LIMIT ?`,
    );
  }

  /** Up to `limit` batches below `beforeSequence` (all when undefined), newest first. */
  list(options: { limit: number; beforeSequence?: number | undefined }, lastAnchored: AnchoredBatch | undefined): ListedBatch[] {
    const rows = this.page.all(options.beforeSequence ?? Number.MAX_SAFE_INTEGER, options.limit) as LedgerRow[];
    return rows.map((row) => {
      const acknowledged = ACKNOWLEDGED.includes(row.state);
      const anchored = acknowledged && lastAnchored !== undefined && row.sequence <= lastAnchored.sequence;
      const proved = row.proved_at_ms !== null;
      return {
        sequence: row.sequence,
        dataClass: row.data_class,
        readingCount: row.reading_count,
        firstGatewaySeq: row.first_gateway_seq,
        lastGatewaySeq: row.last_gateway_seq,
        sealedAtMs: row.sealed_at_ms,
        state: row.state,
        stage: anchored ? "anchored" : acknowledged ? "acknowledged" : proved ? "proved" : "sealed",
        ...(row.acked_at_ms !== null && { ackedAtMs: row.acked_at_ms }),
        proof: {
          present: proved,
          ...(row.proved_at_ms !== null && { provedAtMs: row.proved_at_ms }),
          ...(row.uploaded_at_ms !== null && { uploadedAtMs: row.uploaded_at_ms }),
          ...(row.valid !== null && { valid: row.valid === 1 }),
        },
        ...(lastAnchored?.sequence === row.sequence && {
          anchor: {
            transactionHash: lastAnchored.transactionHash,
            blockNumber: lastAnchored.blockNumber,
            confirmedAtMs: lastAnchored.confirmedAtMs,
          },
        }),
      };
    });
  }
}
