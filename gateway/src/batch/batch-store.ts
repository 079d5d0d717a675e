import type { StreamBounds } from "@intelledger/circuits";
import type { BatchHeader } from "@intelledger/proto/relay";
import type { SqliteDatabase } from "../store/gateway-database.js";
import {
  AWAITING_RELAY,
  HOLDING_READINGS,
  nextState,
  sqlStates,
  statesFor,
  type BatchEvent,
  type BatchState,
} from "./batch-state.js";

/** A sealed batch as the gateway keeps it: its signed header, where it is in its life, and since when. */
export interface StoredBatch extends BatchHeader {
  batchHash: Uint8Array;
  signature: Uint8Array;
  /** The streams committed with bounds narrower than int32; every other stream of the batch is unbounded. */
  streamBounds: StreamBounds[];
  /** The secret seed of the batch's salts (commitment layout 2); undefined for batches sealed before salts. */
  saltSeed: Uint8Array | undefined;
  state: BatchState;
  ackedAtMs: number | undefined;
  releasedAtMs: number | undefined;
  /** The encoded Pruned record, when the readings were deleted to free space. */
  pruned: Uint8Array | undefined;
  prunedSignature: Uint8Array | undefined;
}

/** A row of the batches table. */
export interface BatchRow {
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
  salt_seed: Buffer | null;
  state: BatchState;
  acked_at_ms: number | null;
  released_at_ms: number | null;
  pruned: Buffer | null;
  pruned_signature: Buffer | null;
}

export interface Backlog {
  batches: number;
  readings: number;
  oldestSealedAtMs: number | undefined;
}

const bytesOrUndefined = (value: Buffer | null) => (value === null ? undefined : new Uint8Array(value));
/** SQL for where `event` takes each state it applies to. */
const sqlNextState = (event: BatchEvent) =>
  `CASE state ${statesFor(event)
    .map((state) => `WHEN '${state}' THEN '${nextState(0, state, event)}'`)
    .join(" ")} END`;

/**
 * The batches table: rows in and out, and state changes that apply only from the state the
 * caller read. Only the outbox (batch-outbox.ts) uses it; it decides which moves are legal.
 */
export class BatchStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly gatewayId: string,
  ) {
    this.statements = {
      get: db.prepare("SELECT * FROM batches WHERE sequence = ?"),
      last: db.prepare("SELECT * FROM batches ORDER BY sequence DESC LIMIT 1"),
      from: db.prepare("SELECT * FROM batches WHERE sequence >= ? ORDER BY sequence LIMIT ?"),
      insert: db.prepare(
        `INSERT INTO batches (sequence, batch_hash, previous_batch_hash, readings_root, data_class, reading_count,
           first_gateway_seq, last_gateway_seq, sealed_at_ms, signature, stream_bounds, salt_seed, state)
         VALUES (@sequence, @batchHash, @previousBatchHash, @readingsRoot, @dataClass, @readingCount,
           @firstGatewaySeq, @lastGatewaySeq, @sealedAtMs, @signature, @streamBounds, @saltSeed, 'sealed')`,
      ),
      acknowledgeThrough: db.prepare(
        `UPDATE batches SET state = ${sqlNextState("acknowledge")}, acked_at_ms = ?
         WHERE sequence <= ? AND state IN (${sqlStates(statesFor("acknowledge"))})`,
      ),
      release: db.prepare("UPDATE batches SET state = ?, released_at_ms = ? WHERE sequence = ? AND state = ?"),
      prune: db.prepare("UPDATE batches SET state = ?, pruned = ?, pruned_signature = ? WHERE sequence = ? AND state = ?"),
      releasable: db.prepare(
        `SELECT * FROM batches WHERE state IN (${sqlStates(statesFor("release"))}) AND acked_at_ms < ?
         ORDER BY sequence LIMIT ?`,
      ),
      oldestPrunable: db.prepare(
        `SELECT * FROM batches WHERE state IN (${sqlStates(statesFor("prune"))}) ORDER BY sequence LIMIT 1`,
      ),
      oldestPrunableOfLowestClass: db.prepare(
        `SELECT * FROM batches WHERE state IN (${sqlStates(statesFor("prune"))}) ORDER BY data_class, sequence LIMIT 1`,
      ),
      backlog: db.prepare(
        `SELECT count(*) AS batches, coalesce(sum(CASE WHEN state IN (${sqlStates(HOLDING_READINGS)}) THEN reading_count ELSE 0 END), 0) AS readings,
           min(sealed_at_ms) AS oldest
         FROM batches WHERE state IN (${sqlStates(AWAITING_RELAY)})`,
      ),
      totals: db.prepare(
        `SELECT count(*) AS sealed, count(acked_at_ms) AS acked, coalesce(sum(reading_count), 0) AS sealedReadings FROM batches`,
      ),
    };
  }

  get(sequence: number): StoredBatch | undefined {
    return this.toBatch(this.statements.get.get(sequence) as BatchRow | undefined);
  }

  last(): StoredBatch | undefined {
    return this.toBatch(this.statements.last.get() as BatchRow | undefined);
  }

  /** Batches in sequence order from `fromSequence`, whatever their state. */
  from(fromSequence: number, limit: number): StoredBatch[] {
    return (this.statements.from.all(fromSequence, limit) as BatchRow[]).map((row) => this.toBatch(row) as StoredBatch);
  }

  insert(batch: Omit<StoredBatch, "state" | "ackedAtMs" | "releasedAtMs" | "pruned" | "prunedSignature">): void {
    // Named parameters: the batch's fields bind by name (the gateway id is not stored, it is this gateway's).
    this.statements.insert.run({
      ...batch,
      streamBounds: JSON.stringify(batch.streamBounds),
      saltSeed: batch.saltSeed === undefined ? null : Buffer.from(batch.saltSeed),
    });
  }

  /** The last gateway_seq sealed in each data class. */
  sealedThrough(): Map<number, number> {
    const rows = this.db.prepare("SELECT data_class, max(last_gateway_seq) AS seq FROM batches GROUP BY data_class").all() as {
      data_class: number;
      seq: number;
    }[];
    return new Map(rows.map((row) => [row.data_class, row.seq]));
  }

  /** Moves every batch up to `sequence` that the relay did not hold yet to its acknowledged state; returns how many. */
  acknowledgeThrough(sequence: number, atMs: number): number {
    return this.statements.acknowledgeThrough.run(atMs, sequence).changes;
  }

  /** Moves a batch from `from` to `to` as released; false if it was no longer in `from`. */
  release(sequence: number, from: BatchState, to: BatchState, atMs: number): boolean {
    return this.statements.release.run(to, atMs, sequence, from).changes === 1;
  }

  prune(sequence: number, from: BatchState, to: BatchState, pruned: Uint8Array, signature: Uint8Array): boolean {
    return this.statements.prune.run(to, Buffer.from(pruned), Buffer.from(signature), sequence, from).changes === 1;
  }

  /** Batches that may be released, acknowledged before `ackedBeforeMs`, oldest first. */
  releasable(ackedBeforeMs: number, limit: number): StoredBatch[] {
    return (this.statements.releasable.all(ackedBeforeMs, limit) as BatchRow[]).map((row) => this.toBatch(row) as StoredBatch);
  }

  /** The oldest batch that may be pruned, or of those the oldest of the lowest data class. */
  oldestPrunable(lowestClassFirst: boolean): StoredBatch | undefined {
    const statement = lowestClassFirst ? this.statements.oldestPrunableOfLowestClass : this.statements.oldestPrunable;
    return this.toBatch(statement.get() as BatchRow | undefined);
  }

  backlog(): Backlog {
    const row = this.statements.backlog.get() as { batches: number; readings: number; oldest: number | null };
    return { batches: row.batches, readings: row.readings, oldestSealedAtMs: row.oldest ?? undefined };
  }

  /** Batches sealed and acknowledged so far, and the readings they were sealed with. */
  totals(): { sealed: number; acked: number; sealedReadings: number } {
    return this.statements.totals.get() as { sealed: number; acked: number; sealedReadings: number };
  }

  private toBatch(row: BatchRow | undefined): StoredBatch | undefined {
    if (!row) return undefined;
    return {
      gatewayId: this.gatewayId,
      sequence: row.sequence,
      previousBatchHash: new Uint8Array(row.previous_batch_hash),
      readingsRoot: new Uint8Array(row.readings_root),
      sealedAtMs: row.sealed_at_ms,
      dataClass: row.data_class,
      readingCount: row.reading_count,
      firstGatewaySeq: row.first_gateway_seq,
      lastGatewaySeq: row.last_gateway_seq,
      batchHash: new Uint8Array(row.batch_hash),
      signature: new Uint8Array(row.signature),
      streamBounds: JSON.parse(row.stream_bounds) as StreamBounds[],
      saltSeed: bytesOrUndefined(row.salt_seed),
      state: row.state,
      ackedAtMs: row.acked_at_ms ?? undefined,
      releasedAtMs: row.released_at_ms ?? undefined,
      pruned: bytesOrUndefined(row.pruned),
      prunedSignature: bytesOrUndefined(row.pruned_signature),
    };
  }
}
