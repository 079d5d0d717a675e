import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBatchArtifacts } from "./artifacts.js";
import { BatchCommitment } from "./batch-commitment.js";
import { releaseSnarkThreads, verifyBatchProof } from "./batch-verifier.js";
import { batchCircuitInput, batchPublicSignals } from "./circuit-input.js";
import { CircuitsError } from "./errors.js";
import { loadPoseidon } from "./poseidon-hasher.js";
import { BatchProverPool } from "./prover-pool.js";
import { SAMPLE_GATEWAY, sampleReadings } from "./sample-readings.js";

/** Processes started by any thread of this process. */
function childProcesses(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
}

describe.each(["thread", "process"] as const)("BatchProverPool, provers in a %s", (isolation) => {
  let pool: BatchProverPool;
  let childrenBefore: number[];
  beforeAll(() => {
    childrenBefore = childProcesses();
    pool = new BatchProverPool({ threads: 1, maxQueued: 1, isolation });
  });
  afterAll(async () => {
    await pool.close();
    await releaseSnarkThreads();
  });

  // Long timeout: a niced prover process only gets the CPU that the tests running beside it leave.
  it("proves off the calling thread, refuses work beyond its queue, and reports failures", async () => {
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
  }, 180_000);

  // Only a process has a CPU priority of its own.
  it.runIf(isolation === "process")("runs the prover at lower CPU priority, and ends it on close", async () => {
    await pool.ready();
    const started = childProcesses().filter((pid) => !childrenBefore.includes(pid));
    expect(started).toHaveLength(1);
    expect(getPriority(started[0])).toBe(10);
    const spare = new BatchProverPool({ isolation });
    await spare.ready();
    const spareChildren = childProcesses().filter((pid) => !childrenBefore.includes(pid) && !started.includes(pid));
    expect(spareChildren).toHaveLength(1);
    await spare.close();
    expect(childProcesses()).not.toContain(spareChildren[0]);
  });

  it.runIf(isolation === "process")(
    "replaces a prover process once it proved its share, losing no batch",
    async () => {
      const hasher = await loadPoseidon();
      const commitments = [4, 5, 6].map((count) =>
        BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings: sampleReadings(count) }),
      );
      const recycling = new BatchProverPool({ isolation, proofsPerProver: 2, maxQueued: 2 });
      try {
        await recycling.ready();
        const provers = () => childProcesses().filter((pid) => !childrenBefore.includes(pid));
        const before = provers();
        const proofs = await Promise.all(commitments.map((commitment) => recycling.prove(batchCircuitInput(commitment))));
        const { vkey } = loadBatchArtifacts();
        for (const [i, proof] of proofs.entries()) {
          expect(proof.publicSignals).toEqual(batchPublicSignals(commitments[i]!));
          expect(await verifyBatchProof(vkey, proof.proof, proof.publicSignals)).toBe(true);
        }
        const after = provers();
        expect(after).toHaveLength(before.length);
        expect(
          after.filter((pid) => !before.includes(pid)),
          "a fresh prover took the third batch",
        ).toHaveLength(1);
      } finally {
        await recycling.close();
      }
    },
    180_000,
  );

  it("refuses a bad configuration and work after closing", async () => {
    expect(() => new BatchProverPool({ threads: 0, isolation })).toThrow(CircuitsError);
    expect(() => new BatchProverPool({ proofsPerProver: 0, isolation })).toThrow(CircuitsError);
    const closing = new BatchProverPool({ isolation });
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
