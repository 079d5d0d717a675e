import { RelayError } from "../errors.js";
import { anchorPathColumn } from "./anchor-path.js";
import type { BatchRow } from "./batch-ledger.js";
import type { SqlDatabase, SqlExecutor } from "./sql-database.js";

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
  /** The leadership term of the replica that last wrote the anchor. */
  fencingTerm: number;
}

export interface UnanchoredBatch {
  gatewayId: string;
  sequence: number;
  readingsRoot: Uint8Array;
  readingCount: number;
  /** When the relay stored the batch. */
  receivedAtMs: number;
}

/** A batch as a leaf of an anchor's tree: its path there, the siblings leaf level first. */
export interface AnchorLeaf extends UnanchoredBatch {
  siblings: readonly Uint8Array[];
}

type UnanchoredRow = Pick<BatchRow, "gateway_id" | "sequence" | "readings_root" | "reading_count" | "received_at_ms">;

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
  fencing_term: number;
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
    fencingTerm: row.fencing_term,
  };
}

/** An anchor write from a replica whose leadership term has passed: a newer leader anchors now. */
export class LeadershipLost extends RelayError {
  constructor(term: number) {
    super("aborted", `anchoring leadership term ${term} has ended; another replica anchors now`, { term });
  }
}

/** The condition every anchor write carries: the writer's term is still the current one. */
const FENCE = "(SELECT term FROM anchor_leadership WHERE id = 1) = ?";

async function fenced(tx: SqlExecutor, term: number, sql: string, params: (number | string | null)[]): Promise<void> {
  if ((await tx.run(`${sql} AND ${FENCE}`, [...params, term])) === 0) throw new LeadershipLost(term);
}

/**
 * Anchors and which batches each covers. An anchor is written as pending, with its
 * batches assigned, before its transaction is sent: after a crash the relay (or, with
 * several replicas, the next leader) finds it and settles it instead of anchoring those
 * batches again. Every write names the writer's leadership term and is refused once a newer
 * leader took over.
 */
export class AnchorLedger {
  private readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

  /** Batches not yet in any anchor, in the order they arrived. */
  async unanchored(limit: number): Promise<UnanchoredBatch[]> {
    const rows = await this.db.all<UnanchoredRow>(
      `SELECT gateway_id, sequence, readings_root, reading_count, received_at_ms FROM batches
       WHERE anchor_id IS NULL ORDER BY received_at_ms, gateway_id, sequence LIMIT ?`,
      [limit],
    );
    return rows.map((row) => ({
      gatewayId: row.gateway_id,
      sequence: row.sequence,
      readingsRoot: new Uint8Array(row.readings_root),
      readingCount: row.reading_count,
      receivedAtMs: Number(row.received_at_ms),
    }));
  }

  /** Creates a pending anchor over `batches` (their order is their leaf order), keeping each one's path for its receipts. */
  async createPending(root: Uint8Array, batches: readonly AnchorLeaf[], nowMs: number, term: number): Promise<AnchorRecord> {
    return this.db.transaction(async (tx) => {
      const current = await tx.get<{ term: number }>("SELECT term FROM anchor_leadership WHERE id = 1");
      if (current?.term !== term) throw new LeadershipLost(term);
      const readingCount = batches.reduce((sum, batch) => sum + batch.readingCount, 0);
      const created = await tx.get<{ id: number }>(
        `INSERT INTO anchors (root, batch_count, reading_count, status, created_at_ms, fencing_term)
         VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id`,
        [root, batches.length, readingCount, nowMs, term],
      );
      const id = created?.id ?? 0;
      for (const [position, batch] of batches.entries()) {
        const assigned = await tx.run(
          `UPDATE batches SET anchor_id = ?, anchor_position = ?, anchor_path = ?
           WHERE gateway_id = ? AND sequence = ? AND anchor_id IS NULL`,
          [id, position, anchorPathColumn(batch.siblings), batch.gatewayId, batch.sequence],
        );
        if (assigned !== 1) throw new LeadershipLost(term);
      }
      return toAnchor((await tx.get<AnchorRow>("SELECT * FROM anchors WHERE id = ?", [id])) as AnchorRow);
    });
  }

  /** Records the transaction sent (or adopted) to anchor the root; it replaces any earlier one. */
  async markSubmitted(id: number, tx: { hash: string; nonce: number }, nowMs: number, term: number): Promise<void> {
    await fenced(
      this.db,
      term,
      `UPDATE anchors SET status = 'submitted', tx_hash = ?, tx_nonce = ?, submitted_at_ms = ?, block_number = NULL, block_hash = NULL,
         confirmed_at_ms = NULL, fencing_term = ? WHERE id = ?`,
      [tx.hash, tx.nonce, nowMs, term, id],
    );
  }

  async markConfirmed(id: number, block: { number: number; hash: string }, nowMs: number, term: number): Promise<void> {
    await fenced(
      this.db,
      term,
      "UPDATE anchors SET status = 'confirmed', block_number = ?, block_hash = ?, confirmed_at_ms = ?, fencing_term = ? WHERE id = ?",
      [block.number, block.hash, nowMs, term, id],
    );
  }

  /** Anchors confirmed in or after `fromBlock`: recent enough for a reorganisation to undo them. */
  async confirmedSince(fromBlock: number): Promise<AnchorRecord[]> {
    return (
      await this.db.all<AnchorRow>("SELECT * FROM anchors WHERE status = 'confirmed' AND block_number >= ? ORDER BY id", [
        fromBlock,
      ])
    ).map(toAnchor);
  }

  /** Anchors not confirmed yet, oldest first. */
  async unsettled(): Promise<AnchorRecord[]> {
    return (await this.db.all<AnchorRow>("SELECT * FROM anchors WHERE status != 'confirmed' ORDER BY id")).map(toAnchor);
  }

  /**
   * An operator's retry: every sent anchoring transaction not mined yet is replaced (with
   * higher fees) at the leader's next check instead of after chain.replaceAfterMs. Not
   * fenced: it writes no outcome, only moves the time the leader compares against.
   * Returns the anchors concerned.
   */
  async hurrySubmitted(): Promise<AnchorRecord[]> {
    return this.db.transaction(async (tx) => {
      const waiting = await tx.all<AnchorRow>("SELECT * FROM anchors WHERE status = 'submitted' ORDER BY id");
      await tx.run("UPDATE anchors SET submitted_at_ms = 0 WHERE status = 'submitted'");
      return waiting.map(toAnchor);
    });
  }

  /** The newest of a gateway's batches in a confirmed anchor, with where it was anchored. */
  async lastAnchoredBatch(
    gatewayId: string,
  ): Promise<{ sequence: number; transactionHash: string; blockNumber: number; confirmedAtMs: number } | undefined> {
    return this.db.get(
      `SELECT b.sequence AS sequence, a.tx_hash AS "transactionHash", a.block_number AS "blockNumber",
         a.confirmed_at_ms AS "confirmedAtMs"
       FROM batches b JOIN anchors a ON a.id = b.anchor_id
       WHERE b.gateway_id = ? AND a.status = 'confirmed'
       ORDER BY b.sequence DESC LIMIT 1`,
      [gatewayId],
    );
  }

  /** The latest anchors, newest first. */
  async recent(limit: number): Promise<AnchorRecord[]> {
    return (await this.db.all<AnchorRow>("SELECT * FROM anchors ORDER BY id DESC LIMIT ?", [limit])).map(toAnchor);
  }

  /** The current leadership term, who took it and when (term 0: nobody has anchored yet). */
  async leader(): Promise<{ term: number; holder: string; acquiredAtMs: number }> {
    const row = await this.db.get<{ term: number; holder: string; acquired_at_ms: number }>(
      "SELECT term, holder, acquired_at_ms FROM anchor_leadership WHERE id = 1",
    );
    return { term: row?.term ?? 0, holder: row?.holder ?? "", acquiredAtMs: row?.acquired_at_ms ?? 0 };
  }

  async byId(id: number): Promise<AnchorRecord | undefined> {
    const row = await this.db.get<AnchorRow>("SELECT * FROM anchors WHERE id = ?", [id]);
    return row && toAnchor(row);
  }

  /** Confirmed anchors, unanchored batches, and when the last anchor was confirmed (0 before the first). */
  async totals(): Promise<{ confirmed: number; readingsAnchored: number; unanchoredBatches: number; lastConfirmedAtMs: number }> {
    const row = await this.db.get<{
      confirmed: number;
      readingsAnchored: number;
      unanchoredBatches: number;
      lastConfirmedAtMs: number;
    }>(
      `SELECT count(*) AS confirmed, coalesce(sum(reading_count), 0) AS "readingsAnchored",
         (SELECT count(*) FROM batches WHERE anchor_id IS NULL) AS "unanchoredBatches",
         coalesce(max(confirmed_at_ms), 0) AS "lastConfirmedAtMs"
       FROM anchors WHERE status = 'confirmed'`,
    );
    return row ?? { confirmed: 0, readingsAnchored: 0, unanchoredBatches: 0, lastConfirmedAtMs: 0 };
  }
}
