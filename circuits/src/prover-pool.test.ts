import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBatchArtifacts } from "./artifacts.js";
import { BatchCommitment } from "./batch-commitment.js";
import { releaseSnarkThreads, verifyBatchProof } from "./batch-prover.js";
import { batchCircuitInput, batchPublicSignals } from "./circuit-input.js";
import { CircuitsError } from "./errors.js";
import { loadPoseidon } from "./poseidon-hasher.js";
import { BatchProverPool } from "./prover-pool.js";
import { SAMPLE_GATEWAY, sampleReadings } from "./sample-readings.js";

describe("BatchProverPool", () => {
  let pool: BatchProverPool;
  beforeAll(() => {
    pool = new BatchProverPool({ threads: 1, maxQueued: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await releaseSnarkThreads();
  });

  it("proves in a worker thread, refuses work beyond its queue, and reports failures", async () => {
    const hasher = await loadPoseidon();
    const commitments = [10, 11, 12].map((count) =>
      BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings: sampleReadings(count) }),
    );
    await pool.ready();
    const running = pool.prove(batchCircuitInput(commitments[0]!));
    const queued = pool.prove(batchCircuitInput(commitments[1]!));
    expect(pool.full).toBe(true);
    expect(pool.pending).toBe(2);
    await expect(pool.prove(batchCircuitInput(commitments[2]!))).rejects.toThrow(/queue is full/);

    const { vkey } = loadBatchArtifacts();
    for (const [result, commitment] of [
      [await running, commitments[0]!],
      [await queued, commitments[1]!],
    ] as const) {
      expect(result.publicSignals).toEqual(batchPublicSignals(commitment));
      expect(await verifyBatchProof(vkey, result.proof, result.publicSignals)).toBe(true);
    }
    expect(pool.pending).toBe(0);

    const bad = { ...batchCircuitInput(commitments[2]!), readingCount: "13" };
    await expect(pool.prove(bad)).rejects.toThrow(CircuitsError);
    await expect(pool.prove(bad)).rejects.toThrow(/does not satisfy the circuit/);
  });

  it("refuses a bad configuration and work after closing", async () => {
    expect(() => new BatchProverPool({ threads: 0 })).toThrow(CircuitsError);
    const closing = new BatchProverPool();
    await closing.close();
    await expect(
      closing.prove(
        batchCircuitInput(
          BatchCommitment.build(await loadPoseidon(), { gatewayId: SAMPLE_GATEWAY, readings: sampleReadings(1) }),
        ),
      ),
    ).rejects.toThrow(/closed/);
  });
});
