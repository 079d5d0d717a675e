import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { compilePoseidon, loadPoseidon } from "./poseidon-hasher.js";

const INPUTS = [[1n], [1n, 2n], Array.from({ length: 16 }, (_, i) => BigInt(i) * 0x1234_5678_9abc_def0n)];

describe("Poseidon", () => {
  it("hashes as circomlib's circuits do", async () => {
    const hasher = await loadPoseidon();
    // circomlib's published test vector for Poseidon([1, 2]).
    expect(hasher.hash([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it("hashes in another thread with the module this one compiled, as this one does", async () => {
    const compiled = await compilePoseidon();
    const hasher = await loadPoseidon();
    const worker = new Worker(new URL("../test/poseidon-thread.mjs", import.meta.url), { workerData: compiled });
    try {
      for (const inputs of INPUTS) {
        worker.postMessage(inputs);
        const [hash] = (await once(worker, "message")) as [bigint];
        expect(hash).toBe(hasher.hash(inputs));
      }
    } finally {
      await worker.terminate();
    }
  });
});
