import { PruneReason, signPrune, type Pruned } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import type { BatchOutbox, StoredBatch } from "../batch/batch-outbox.js";
import { IllegalBatchTransition } from "../batch/batch-state.js";
import type { SqliteDatabase } from "./gateway-database.js";
import { rollUp } from "./batch-rollup.js";
import { databaseBytesUsed } from "./database-size.js";

export type QuotaPolicy = "backpressure" | "rollup" | "drop-lowest-class";

export interface StorageGuardOptions {
  db: SqliteDatabase;
  dbPath: string;
  outbox: BatchOutbox;
  identity: Wallet;
  quotaBytes: number;
  policy: QuotaPolicy;
  /** Readings the relay acknowledged are kept this long for local use, then deleted. */
  retainAckedMs: number;
  /** Readings up to this gateway_seq are in the rollups; later ones are kept until they are. */
  rolledUpThrough?: () => number;
  logger: Logger;
  now?: () => number;
}

export interface StorageState {
  bytesUsed: number;
  quotaBytes: number;
  /** New frames are refused until space frees up. */
  full: boolean;
  batchesPruned: number;
  readingsPruned: number;
}

/** Start freeing space above this share of the quota, and stop once below the lower one. */
const HIGH_WATER = 0.95;
const LOW_WATER = 0.9;

/**
 * Keeps the database within its disk quota, deciding which batches the outbox releases or
 * prunes (it makes the moves). Space is freed in this order: readings the
 * relay already holds (beyond their retention first, then any), then the configured
 * policy on readings the relay does not have yet: refuse new frames (backpressure), or
 * replace the oldest batches by per-channel rollups, or drop the oldest batches of the
 * lowest data class. A pruned batch keeps its signed header and gets a signed record of
 * what was removed, so the relay can account for every reading. When nothing more can
 * be freed, new frames are refused whatever the policy.
 */
export class StorageGuard {
  readonly state: StorageState;
  private options: StorageGuardOptions;
  private readonly now: () => number;

  constructor(options: StorageGuardOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.state = { bytesUsed: 0, quotaBytes: options.quotaBytes, full: false, batchesPruned: 0, readingsPruned: 0 };
  }

  /** A new quota, policy or retention, used from the next check on. */
  reconfigure(limits: Pick<StorageGuardOptions, "quotaBytes" | "policy" | "retainAckedMs">): void {
    this.options = { ...this.options, ...limits };
    this.state.quotaBytes = limits.quotaBytes;
  }

  get full(): boolean {
    return this.state.full;
  }

  bytesUsed(): number {
    return databaseBytesUsed(this.options.db, this.options.dbPath);
  }

  /** Applies retention and the quota; the outbox scheduler calls it periodically, never concurrently with itself. */
  async enforce(): Promise<StorageState> {
    const { outbox, retainAckedMs, quotaBytes, policy } = this.options;
    this.release(outbox.releasable(this.now() - retainAckedMs, 64));
    let used = this.measure();
    if (used > quotaBytes * HIGH_WATER) {
      const target = quotaBytes * LOW_WATER;
      while (used > target && this.release(outbox.releasable(Number.MAX_SAFE_INTEGER, 16)) > 0) used = this.measure();
      while (used > target && policy !== "backpressure") {
        const victim = outbox.pruneCandidate(policy === "drop-lowest-class");
        if (!victim) break;
        try {
          await this.prune(victim, policy === "rollup" ? PruneReason.PRUNE_REASON_ROLLUP : PruneReason.PRUNE_REASON_DROPPED);
        } catch (error) {
          // Acknowledged while its prune record was being signed: it is released instead, later.
          if (!(error instanceof IllegalBatchTransition)) throw error;
        }
        used = this.measure();
      }
    }
    const wasFull = this.state.full;
    this.state.full = used > quotaBytes * HIGH_WATER;
    if (this.state.full !== wasFull) {
      this.options.logger.warn(
        { bytesUsed: used, quotaBytes },
        this.state.full ? "disk quota reached: refusing new frames" : "disk space available again",
      );
    }
    return { ...this.state };
  }

  private measure(): number {
    // Deleted pages only count as free once the log is checkpointed into the database.
    this.options.db.pragma("wal_checkpoint(TRUNCATE)");
    this.state.bytesUsed = this.bytesUsed();
    return this.state.bytesUsed;
  }

  /** Releases acknowledged batches (their readings go) whose readings are rolled up; returns how many. */
  private release(acked: readonly StoredBatch[]): number {
    const rolledUpThrough = this.options.rolledUpThrough?.() ?? Number.MAX_SAFE_INTEGER;
    const releasable = acked.filter((batch) => batch.lastGatewaySeq <= rolledUpThrough);
    this.options.outbox.release(releasable);
    return releasable.length;
  }

  private async prune(batch: StoredBatch, reason: PruneReason): Promise<void> {
    const { outbox, identity, logger } = this.options;
    const members = outbox.readingsOf(batch);
    const pruned: Pruned = {
      reason,
      prunedAtMs: this.now(),
      rollups: rollUp(members),
    };
    outbox.prune(batch, pruned, await signPrune(identity, batch.batchHash, pruned));
    this.state.batchesPruned++;
    this.state.readingsPruned += members.length;
    logger.warn(
      { sequence: batch.sequence, dataClass: batch.dataClass, readings: members.length, reason: PruneReason[reason] },
      "disk quota: batch pruned, gap recorded",
    );
  }
}
