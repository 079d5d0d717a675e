import { setImmediate as yieldToIngest } from "node:timers/promises";
import { BatchCommitment, batchablePrefix, fieldToBytes32, type PoseidonHasher } from "@intelledger/circuits";
import { batchHash, signBatch, ZERO_BATCH_HASH, type Batch } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import type { GatewayClock } from "../clock/gateway-clock.js";
import type { BatchStore } from "../store/batch-store.js";
import type { ReadingStore } from "../store/reading-store.js";

export interface BatchSealerOptions {
  readings: ReadingStore;
  batches: BatchStore;
  hasher: PoseidonHasher;
  identity: Wallet;
  maxReadings: number;
  maxAgeMs: number;
  /** Every data class readings can have; each is sealed into batches of its own. */
  dataClasses: readonly number[];
  clock: Pick<GatewayClock, "read">;
}

/**
 * Turns stored readings into signed batches, one data class at a time: a batch closes
 * when it holds `maxReadings`, when the next reading would not fit one proof (its codes
 * or its receive time; see batchablePrefix), or when its oldest reading is `maxAgeMs` old.
 * Each batch commits to its readings by its batch commitment root (see
 * @intelledger/circuits) and links to the previous batch (of any class) by hash.
 */
export class BatchSealer {
  private readonly options: BatchSealerOptions;
  private readonly sealedThrough: Map<number, number>;

  constructor(options: BatchSealerOptions) {
    this.options = options;
    this.sealedThrough = options.batches.sealedThrough();
  }

  /** Seals every batch that is due; returns how many. */
  async sealDue(): Promise<number> {
    let sealed = 0;
    for (const dataClass of this.options.dataClasses) {
      while (await this.sealNext(dataClass)) {
        sealed++;
        // Hashing a full batch takes a while; let frames in between batches.
        await yieldToIngest();
      }
    }
    return sealed;
  }

  private async sealNext(dataClass: number): Promise<boolean> {
    const { readings, batches, hasher, identity, maxReadings, maxAgeMs } = this.options;
    const pending = readings.ofClassAfter(dataClass, this.sealedThrough.get(dataClass) ?? 0, maxReadings);
    // A batch is one proof: it ends where the circuit's capacity, code bits or receive window do.
    const members = pending.slice(0, batchablePrefix(pending));
    const [first] = members;
    const last = members.at(-1);
    if (!first || !last) return false;
    // Age by the monotonic clock, which a wall clock being set or jumping does not fool;
    // a reading from an earlier boot is old whatever its time stamp says.
    const now = this.options.clock.read();
    const ageMs = first.receivedBoot === now.boot ? now.uptimeMs - first.receivedUptimeMs : Number.POSITIVE_INFINITY;
    const full = members.length >= maxReadings || members.length < pending.length;
    if (!full && ageMs < maxAgeMs) return false;

    const previous = batches.last();
    const batch: Batch = {
      gatewayId: identity.address,
      sequence: (previous?.sequence ?? 0) + 1,
      previousBatchHash: previous?.batchHash ?? ZERO_BATCH_HASH,
      readingsRoot: fieldToBytes32(BatchCommitment.build(hasher, { gatewayId: identity.address, readings: members }).root),
      sealedAtMs: now.nowMs,
      readings: members,
      dataClass,
      readingCount: members.length,
      firstGatewaySeq: first.gatewaySeq,
      lastGatewaySeq: last.gatewaySeq,
    };
    batches.insert({ ...batch, batchHash: batchHash(batch), signature: await signBatch(identity, batch) });
    this.sealedThrough.set(dataClass, last.gatewaySeq);
    return true;
  }
}
