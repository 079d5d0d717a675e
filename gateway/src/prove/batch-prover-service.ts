import {
  BatchCommitment,
  batchCircuitInput,
  listedBounds,
  type BatchProverPool,
  type PoseidonHasher,
} from "@intelledger/circuits";
import type { Logger } from "pino";
import type { BatchStore } from "../batch/batch-store.js";
import type { ProofStore } from "./proof-store.js";
import type { ReadingStore } from "../store/reading-store.js";

/**
 * Proves sealed batches, oldest first, in the prover pool: as many at once as the prover
 * pool takes, the rest wait as unproven batches in the database. Ingest never waits for
 * proving, and a gateway that falls behind catches up when the load drops.
 */
export class BatchProverService {
  private readonly deps: {
    pool: BatchProverPool;
    hasher: PoseidonHasher;
    gatewayId: string;
    batches: BatchStore;
    readings: ReadingStore;
    proofs: ProofStore;
    logger: Logger;
    onProved: () => void;
  };
  private readonly proving = new Set<number>();
  readonly counters = { proved: 0, failed: 0 };

  constructor(deps: BatchProverService["deps"]) {
    this.deps = deps;
  }

  /** Hands unproven batches to the pool while it has room; asks the database only then. */
  queueDue(): void {
    const { pool, proofs } = this.deps;
    if (pool.full) return;
    for (const sequence of proofs.unproven(this.proving.size + 8)) {
      if (pool.full) return;
      if (this.proving.has(sequence)) continue;
      this.prove(sequence);
    }
  }

  get pending(): number {
    return this.proving.size;
  }

  private prove(sequence: number): void {
    const { pool, hasher, gatewayId, batches, readings, proofs, logger, onProved } = this.deps;
    const batch = batches.get(sequence);
    if (!batch) return;
    const members = readings.ofClassBetween(batch.dataClass, batch.firstGatewaySeq, batch.lastGatewaySeq);
    const commitment = BatchCommitment.build(hasher, { gatewayId, readings: members, bounds: listedBounds(batch.streamBounds) });
    this.proving.add(sequence);
    pool
      .prove(batchCircuitInput(commitment))
      .then(
        (proof) => {
          proofs.insert(sequence, proof, Date.now());
          this.counters.proved++;
          onProved();
        },
        (error: unknown) => {
          this.counters.failed++;
          logger.warn({ err: error, sequence }, "proving a batch failed; it will be tried again");
        },
      )
      .finally(() => this.proving.delete(sequence));
  }
}
