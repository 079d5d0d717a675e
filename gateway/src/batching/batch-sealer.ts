import { fieldToBytes32, PoseidonMerkleTree, readingLeaf, type PoseidonHasher } from "@intelledger/circuits";
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
  now?: () => number;
}

/**
 * Turns stored readings into signed batches: a batch closes when it holds
 * `maxReadings` or its oldest reading is `maxAgeMs` old. Each batch commits to its
 * readings by a Poseidon Merkle root and links to the previous batch by hash.
 */
export class BatchSealer {
  private readonly options: BatchSealerOptions;
  private readonly now: () => number;

  constructor(options: BatchSealerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Seals every batch that is due; returns how many. */
  async sealDue(): Promise<number> {
    let sealed = 0;
    while (await this.sealNext()) sealed++;
    return sealed;
  }

  private async sealNext(): Promise<boolean> {
    const { readings, batches, hasher, identity, maxReadings, maxAgeMs } = this.options;
    const oldest = readings.oldestUnbatched();
    if (!oldest) return false;
    const lastSeq = readings.lastSeq();
    const full = lastSeq - oldest.gatewaySeq + 1 >= maxReadings;
    if (!full && this.now() - oldest.receivedAtMs < maxAgeMs) return false;

    const members = readings.between(oldest.gatewaySeq, Math.min(lastSeq, oldest.gatewaySeq + maxReadings - 1));
    const tree = PoseidonMerkleTree.build(
      hasher,
      members.map((reading) => readingLeaf(hasher, reading)),
    );
    const previous = batches.last();
    const batch: Batch = {
      gatewayId: identity.address,
      sequence: (previous?.sequence ?? 0) + 1,
      previousBatchHash: previous?.batchHash ?? ZERO_BATCH_HASH,
      readingsRoot: fieldToBytes32(tree.root),
      sealedAtMs: this.now(),
      readings: members,
    };
    batches.insert({
      sequence: batch.sequence,
      batchHash: batchHash(batch),
      previousBatchHash: batch.previousBatchHash,
      readingsRoot: batch.readingsRoot,
      firstGatewaySeq: members[0]?.gatewaySeq ?? oldest.gatewaySeq,
      lastGatewaySeq: members.at(-1)?.gatewaySeq ?? oldest.gatewaySeq,
      sealedAtMs: batch.sealedAtMs,
      signature: await signBatch(identity, batch),
    });
    return true;
  }
}
