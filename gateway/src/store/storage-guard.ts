import { PruneReason, signPrune, type Pruned } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { Logger } from "pino";
import type { BatchOutbox, StoredBatch } from "../batch/batch-outbox.js";
import { IllegalBatchTransition } from "../batch/batch-state.js";
import type { SqliteDatabase } from "./gateway-database.js";
import { rollUp } from "./batch-rollup.js";
import { dirname } from "node:path";
import { databaseBytesUsed } from "./database-size.js";
import { diskFreeBytes, isDiskFull } from "./disk-space.js";

export type QuotaPolicy = "backpressure" | "rollup" | "drop-lowest-class";

export interface StorageGuardOptions {
  db: SqliteDatabase;
  dbPath: string;
  outbox: BatchOutbox;
  identity: Wallet;
  quotaBytes: number;
  /** New frames are refused while the filesystem holding the database has less free than this. */
  minFreeDiskBytes: number;
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
  /** Why: the quota is reached, or the disk holding the database is (nearly) full. */
  fullReason: "quota" | "disk" | undefined;
  /** Free bytes on the filesystem holding the database, at the last check. */
  diskFreeBytes: number;
  batchesPruned: number;
  readingsPruned: number;
}

/** Start freeing space above this share of the quota, and stop once below the lower one. */
const HIGH_WATER = 0.95;
const LOW_WATER = 0.9;
/** Once a write found the disk full, frames wait for this much more than the minimum free, so they do not flap at the edge. */
const DISK_FULL_HYSTERESIS_BYTES = 1024 ** 2;

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
    this.state = {
      bytesUsed: 0,
      quotaBytes: options.quotaBytes,
      full: false,
      fullReason: undefined,
      diskFreeBytes: diskFreeBytes(dirname(options.dbPath)),
      batchesPruned: 0,
      readingsPruned: 0,
    };
  }

  /** A new quota, policy or retention, used from the next check on. */
  reconfigure(limits: Pick<StorageGuardOptions, "quotaBytes" | "minFreeDiskBytes" | "policy" | "retainAckedMs">): void {
    this.options = { ...this.options, ...limits };
    this.state.quotaBytes = limits.quotaBytes;
  }

  get full(): boolean {
    return this.state.full;
  }

  get fullReason(): StorageState["fullReason"] {
    return this.state.fullReason;
  }

  /** A write found the disk full before a check did: frames are refused until a check finds room again. */
  diskFull(): void {
    if (this.state.fullReason === "disk") return;
    this.state.full = true;
    this.state.fullReason = "disk";
    this.options.logger.error(
      { diskFreeBytes: diskFreeBytes(dirname(this.options.dbPath)) },
      "the disk holding the database is full: refusing new frames",
    );
  }

  bytesUsed(): number {
    return databaseBytesUsed(this.options.db, this.options.dbPath);
  }

  /**
   * Applies retention and the quota, and looks at the disk's free space; the outbox scheduler
   * calls it periodically, never concurrently with itself.
   */
  async enforce(): Promise<StorageState> {
    const { quotaBytes, minFreeDiskBytes, dbPath, logger } = this.options;
    let used: number;
    try {
      used = await this.freeSpace();
    } catch (error) {
      // Freeing space takes a little space itself (the log); with none left, it waits for room.
      if (!isDiskFull(error)) throw error;
      used = this.measure();
    }
    this.state.diskFreeBytes = diskFreeBytes(dirname(dbPath));
    const diskNeeded = minFreeDiskBytes + (this.state.fullReason === "disk" ? DISK_FULL_HYSTERESIS_BYTES : 0);
    const reason = used > quotaBytes * HIGH_WATER ? "quota" : this.state.diskFreeBytes < diskNeeded ? "disk" : undefined;
    if (reason !== this.state.fullReason) {
      const fields = { bytesUsed: used, quotaBytes, diskFreeBytes: this.state.diskFreeBytes, minFreeDiskBytes };
      if (reason === "quota") logger.warn(fields, "disk quota reached: refusing new frames");
      else if (reason === "disk") logger.error(fields, "the disk holding the database is full: refusing new frames");
      else logger.warn(fields, "disk space available again");
    }
    this.state.full = reason !== undefined;
    this.state.fullReason = reason;
    return { ...this.state };
  }

  /** Releases and prunes batches as retention, the quota and the policy ask; returns the bytes used then. */
  private async freeSpace(): Promise<number> {
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
    return used;
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
