import {
  BatchCommitment,
  batchCircuitInput,
  listedBounds,
  type BatchProverPool,
  type PoseidonHasher,
} from "@intelledger/circuits";
import type { Logger } from "pino";
import type { BatchOutbox } from "../batch/batch-outbox.js";

/**
 * Proves sealed batches, oldest first, in the prover pool: as many at once as the prover
 * pool takes, the rest wait as unproven batches in the database. Ingest never waits for
 * proving, and a gateway that falls behind catches up when the load drops.
 */
export class BatchProverService {
  private readonly deps: {
    pool: BatchProverPool;
    hasher: PoseidonHasher;
    outbox: BatchOutbox;
    logger: Logger;
  };
  private readonly proving = new Set<number>();
  readonly counters = { proved: 0, failed: 0 };

  constructor(deps: BatchProverService["deps"]) {
    this.deps = deps;
  }

  /** Hands unproven batches to the pool while it has room; asks the database only then. */
  queueDue(): void {
    const { pool, outbox } = this.deps;
    if (pool.full) return;
    for (const sequence of outbox.toProve(this.proving.size + 8)) {
      if (pool.full) return;
      if (this.proving.has(sequence)) continue;
      this.prove(sequence);
    }
  }

  get pending(): number {
    return this.proving.size;
  }

  private prove(sequence: number): void {
    const { pool, hasher, outbox, logger } = this.deps;
    const batch = outbox.get(sequence);
    if (!batch) return;
    const commitment = BatchCommitment.build(hasher, {
      gatewayId: outbox.gatewayId,
      readings: outbox.readingsOf(batch),
      bounds: listedBounds(batch.streamBounds),
      saltSeed: batch.saltSeed,
    });
    this.proving.add(sequence);
    pool
      .prove(batchCircuitInput(commitment))
      .then((proof) => {
        outbox.recordProof(sequence, proof);
        this.counters.proved++;
      })
      .catch((error: unknown) => {
        this.counters.failed++;
        logger.warn({ err: error, sequence }, "proving a batch failed; it will be tried again");
      })
      .finally(() => this.proving.delete(sequence));
  }
}
