import { setImmediate as yieldToIngest } from "node:timers/promises";
import { fieldToBytes32, readingsTree, type PoseidonHasher } from "@intelledger/circuits";
import { batchHash, signBatch, ZERO_BATCH_HASH, type Batch } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
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
  now?: () => number;
}

/**
 * Turns stored readings into signed batches, one data class at a time: a batch closes
 * when it holds `maxReadings` or its oldest reading is `maxAgeMs` old. Each batch
 * commits to its readings by a Poseidon Merkle root and links to the previous batch
 * (of any class) by hash.
 */
export class BatchSealer {
  private readonly options: BatchSealerOptions;
  private readonly now: () => number;
  private readonly sealedThrough: Map<number, number>;

  constructor(options: BatchSealerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
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
    const members = readings.ofClassAfter(dataClass, this.sealedThrough.get(dataClass) ?? 0, maxReadings);
    const [first] = members;
    const last = members.at(-1);
    if (!first || !last) return false;
    if (members.length < maxReadings && this.now() - first.receivedAtMs < maxAgeMs) return false;

    const previous = batches.last();
    const batch: Batch = {
      gatewayId: identity.address,
      sequence: (previous?.sequence ?? 0) + 1,
      previousBatchHash: previous?.batchHash ?? ZERO_BATCH_HASH,
      readingsRoot: fieldToBytes32(readingsTree(hasher, members).root),
      sealedAtMs: this.now(),
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
