import { EventEmitter } from "node:events";
import type { BatchProof, StreamBounds } from "@intelledger/circuits";
import {
  batchHash,
  batchWithReadings,
  Pruned,
  ZERO_BATCH_HASH,
  type BatchHeader,
  type SignedBatch,
} from "@intelledger/proto/relay";
import { GatewayError } from "../errors.js";
import { ProofStore, type ProofToUpload } from "../prove/proof-store.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import type { ReadingStore, StoredReading } from "../store/reading-store.js";
import { IllegalBatchTransition, nextState, type BatchEvent } from "./batch-state.js";
import { BatchStore, type Backlog, type StoredBatch } from "./batch-store.js";

export type { Backlog, StoredBatch } from "./batch-store.js";

/** What the outbox announces: a batch sealed, a batch proved. */
export interface OutboxEvents {
  sealed: [StoredBatch];
  proved: [number];
}

/** A new batch that does not extend the gateway's chain by exactly one. */
export class BrokenChainError extends GatewayError {}

/** The relay asks for a batch whose readings are gone from here: it lost what it had acknowledged. */
export class BatchGoneError extends GatewayError {}

/**
 * The gateway's batches from sealing until the relay holds them and their readings may go:
 * the only place that moves a batch from one state to the next (see batch-state.ts) and
 * that records its proof. A move the lifecycle does not have is refused with an
 * IllegalBatchTransition; a database row is changed only from the state it was read in.
 */
export class BatchOutbox extends EventEmitter<OutboxEvents> {
  readonly gatewayId: string;
  private readonly db: SqliteDatabase;
  private readonly batches: BatchStore;
  private readonly proofs: ProofStore;
  private readonly readings: ReadingStore;
  private readonly now: () => number;
  private chainHead: { sequence: number; batchHash: Uint8Array };
  /** The relay's acks not written yet: acks are recorded a few times a second, not one by one. */
  private acknowledgedThrough: number | undefined;

  constructor(options: { db: SqliteDatabase; gatewayId: string; readings: ReadingStore; now?: () => number }) {
    super();
    this.db = options.db;
    this.gatewayId = options.gatewayId;
    this.batches = new BatchStore(options.db, options.gatewayId);
    this.proofs = new ProofStore(options.db);
    this.readings = options.readings;
    this.now = options.now ?? Date.now;
    const last = this.batches.last();
    this.chainHead = { sequence: last?.sequence ?? 0, batchHash: last?.batchHash ?? ZERO_BATCH_HASH };
  }

  get(sequence: number): StoredBatch | undefined {
    return this.batches.get(sequence);
  }

  last(): StoredBatch | undefined {
    return this.batches.last();
  }

  /** Batches in sequence order from `fromSequence`, whatever their state. */
  from(fromSequence: number, limit: number): StoredBatch[] {
    return this.batches.from(fromSequence, limit);
  }

  /** The last gateway_seq sealed in each data class. */
  sealedThrough(): Map<number, number> {
    return this.batches.sealedThrough();
  }

  /** Where the next batch goes: its sequence and the hash it links to. */
  nextPlace(): { sequence: number; previousBatchHash: Uint8Array } {
    return { sequence: this.chainHead.sequence + 1, previousBatchHash: this.chainHead.batchHash };
  }

  readingsOf(batch: StoredBatch): StoredReading[] {
    return this.readings.ofBatch(batch);
  }

  backlog(): Backlog {
    return this.batches.backlog();
  }

  totals(): { sealed: number; acked: number; sealedReadings: number } {
    return this.batches.totals();
  }

  proofTotals(): { proved: number; uploaded: number; invalid: number } {
    return this.proofs.totals();
  }

  /**
   * open → sealed: stores a signed batch, which must extend the chain by one, with the
   * bounds its streams were committed with (those narrower than int32) and the seed of its
   * salts (none for a batch committed without).
   */
  seal(header: BatchHeader, signature: Uint8Array, streamBounds: StreamBounds[] = [], saltSeed?: Uint8Array): StoredBatch {
    const { sequence, previousBatchHash } = this.nextPlace();
    if (header.gatewayId !== this.gatewayId || header.sequence !== sequence) {
      throw new BrokenChainError(`batch ${header.sequence} of ${header.gatewayId} is not the next batch of this gateway`, {
        expectedSequence: sequence,
      });
    }
    if (Buffer.compare(header.previousBatchHash, previousBatchHash) !== 0) {
      throw new BrokenChainError(`batch ${sequence} does not link to the gateway's last batch`, { sequence });
    }
    const hash = batchHash(header);
    this.batches.insert({ ...header, batchHash: hash, signature, streamBounds, saltSeed });
    this.chainHead = { sequence, batchHash: hash };
    const sealed = this.batches.get(sequence) as StoredBatch;
    this.emit("sealed", sealed);
    return sealed;
  }

  /** Notes the relay's ack of batch `sequence` (and so of every batch before it); written by `flushAcknowledgements`. */
  acknowledge(sequence: number): void {
    if (sequence < 1 || sequence > this.chainHead.sequence) throw new IllegalBatchTransition(sequence, "acknowledge", undefined);
    this.acknowledgedThrough = Math.max(this.acknowledgedThrough ?? 0, sequence);
  }

  /** Writes the acks noted so far: an ack lost in a crash only means the relay is sent that batch again, which it recognises. */
  flushAcknowledgements(): void {
    if (this.acknowledgedThrough === undefined) return;
    this.acknowledgeThrough(this.acknowledgedThrough);
  }

  /** sealed → acknowledged, pruned → gap-acknowledged, for every batch up to `sequence`; those acknowledged already stay. */
  acknowledgeThrough(sequence: number): void {
    if (sequence > this.chainHead.sequence) throw new IllegalBatchTransition(sequence, "acknowledge", undefined);
    this.batches.acknowledgeThrough(sequence, this.now());
    if (this.acknowledgedThrough !== undefined && this.acknowledgedThrough <= sequence) this.acknowledgedThrough = undefined;
  }

  /** Batches whose readings may be deleted, acknowledged before `ackedBeforeMs`, oldest first. */
  releasable(ackedBeforeMs: number, limit: number): StoredBatch[] {
    return this.batches.releasable(ackedBeforeMs, limit);
  }

  /** acknowledged → released: deletes the readings the relay holds, all or none of the batches. */
  release(batches: readonly StoredBatch[]): void {
    this.db.transaction(() => {
      for (const batch of batches) {
        const to = this.move(batch, "release");
        this.readings.deleteOfBatch(batch);
        if (!this.batches.release(batch.sequence, batch.state, to, this.now())) this.refuseStale(batch, "release");
      }
    })();
  }

  /** The batch to prune next, if any: the oldest the relay does not hold, or the oldest of the lowest data class. */
  pruneCandidate(lowestClassFirst: boolean): StoredBatch | undefined {
    return this.batches.oldestPrunable(lowestClassFirst);
  }

  /** sealed → pruned: replaces the readings by the gateway's signed record of what they were. */
  prune(batch: StoredBatch, record: Pruned, signature: Uint8Array): void {
    const to = this.move(batch, "prune");
    this.db.transaction(() => {
      this.readings.deleteOfBatch(batch);
      if (!this.batches.prune(batch.sequence, batch.state, to, Pruned.encode(record).finish(), signature)) {
        this.refuseStale(batch, "prune");
      }
    })();
  }

  /**
   * The batch `sequence` as it goes to the relay: header, signature and readings, or the
   * prune record in their place; undefined past the last batch sealed.
   */
  outgoing(sequence: number): SignedBatch | undefined {
    const stored = this.batches.get(sequence);
    if (!stored) return undefined;
    if (stored.state === "released") {
      throw new BatchGoneError("the relay asks again for a batch it acknowledged and whose readings were since deleted here", {
        sequence,
      });
    }
    const signed: SignedBatch = {
      batch: stored.pruned
        ? batchWithReadings(stored, [])
        : batchWithReadings(stored, this.readings.ofBatch(stored), stored.streamBounds, stored.saltSeed),
      signature: stored.signature,
      prunedSignature: stored.prunedSignature ?? new Uint8Array(),
    };
    if (stored.pruned) signed.pruned = Pruned.decode(stored.pruned);
    return signed;
  }

  /** Batches to prove: their readings are here and they have no proof yet, oldest first. */
  toProve(limit: number): number[] {
    return this.proofs.unproven(limit);
  }

  /** unproven → proved. */
  recordProof(sequence: number, proof: BatchProof): void {
    if (!this.batches.get(sequence)) throw new GatewayError(`a proof of batch ${sequence}, which was never sealed`, { sequence });
    if (this.proofs.stateOf(sequence) !== "unproven") throw new GatewayError(`batch ${sequence} is proved already`, { sequence });
    this.proofs.insert(sequence, proof, this.now());
    this.emit("proved", sequence);
  }

  /** Proofs the relay has no verdict on yet, of batches up to `throughSequence` (the relay must hold the batch first). */
  proofsToUpload(throughSequence: number, limit: number): ProofToUpload[] {
    return this.proofs.toUpload(throughSequence, limit);
  }

  /** proved → judged: the relay checked the proof against the batch it holds. */
  recordProofVerdict(sequence: number, valid: boolean): void {
    if (this.proofs.stateOf(sequence) === "unproven") {
      throw new GatewayError(`the relay judged a proof of batch ${sequence}, which was never proved`, { sequence });
    }
    this.proofs.markUploaded(sequence, valid, this.now());
  }

  private move(batch: StoredBatch, event: BatchEvent) {
    return nextState(batch.sequence, batch.state, event);
  }

  /** The batch changed state since it was read: refuse with the state it is in now. */
  private refuseStale(batch: StoredBatch, event: BatchEvent): never {
    throw new IllegalBatchTransition(batch.sequence, event, this.batches.get(batch.sequence)?.state);
  }
}
