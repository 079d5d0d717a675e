import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadBatchArtifacts } from "./artifacts.js";
import { BatchCommitment, batchablePrefix, batchRootOf, claimsRootOf } from "./batch-commitment.js";
import { BATCH_CAPACITY, CODE_BITS, CODE_WORD_BITS, HEADER_WORDS, HEADERS_PER_WORD, TIME_BITS } from "./batch-layout.js";
import { proveBatch, type BatchProof } from "./batch-prover.js";
import { releaseSnarkThreads, verifyBatchProof } from "./batch-verifier.js";
import { batchCircuitInput, batchClaims, batchPublicSignals, type BatchCircuitInput } from "./circuit-input.js";
import { CircuitsError } from "./errors.js";
import { loadPoseidon, type PoseidonHasher } from "./poseidon-hasher.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "./sample-readings.js";

// Real witnesses and real Groth16 proofs with the committed proving key.
const artifacts = loadBatchArtifacts();
let hasher: PoseidonHasher;
let commitment: BatchCommitment;
let proof: BatchProof;

beforeAll(async () => {
  hasher = await loadPoseidon();
  commitment = BatchCommitment.build(hasher, {
    gatewayId: SAMPLE_GATEWAY,
    readings: sampleReadings(100),
    bounds: () => SAMPLE_BOUNDS,
  });
  proof = await proveBatch(artifacts, batchCircuitInput(commitment));
});

afterAll(async () => {
  await releaseSnarkThreads();
});

/** The input with words and header fields changed, and the batch root recomputed to match. */
function forged(change: { words?: bigint[]; header?: Partial<BatchCommitment["header"]> }): BatchCircuitInput {
  const words = change.words ?? [...commitment.words];
  const header = { ...commitment.header, ...change.header };
  const input = batchCircuitInput(commitment);
  return {
    ...input,
    words: words.map(String),
    batchRoot: batchRootOf(hasher, claimsRootOf(hasher, words), header).toString(),
    windowStartSec: String(header.windowStartSec),
    windowEndSec: String(header.windowEndSec),
    readingCount: String(header.readingCount),
    anomalyCount: String(header.anomalyCount),
  };
}

describe("batch attestation circuit", () => {
  it("proves an in-bounds batch, and the proof verifies with the batch's claims", async () => {
    expect(proof.publicSignals).toEqual(batchPublicSignals(commitment));
    expect(await verifyBatchProof(artifacts.vkey, proof.proof, proof.publicSignals)).toBe(true);
    expect(batchClaims(proof.publicSignals)).toEqual({
      batchRoot: commitment.root,
      gatewayId: SAMPLE_GATEWAY,
      windowStartSec: commitment.header.windowStartSec,
      windowEndSec: commitment.header.windowEndSec,
      readingCount: 100,
      anomalyCount: commitment.header.anomalyCount,
      streamsHash: commitment.header.streamsHash,
    });
  });

  it("does not verify against another root or any other changed claim", async () => {
    for (let index = 0; index < proof.publicSignals.length; index++) {
      const signals = [...proof.publicSignals];
      signals[index] = (BigInt(signals[index] ?? 0) + 1n).toString();
      expect(await verifyBatchProof(artifacts.vkey, proof.proof, signals), `signal ${index}`).toBe(false);
    }
    const other = BatchCommitment.build(hasher, {
      gatewayId: SAMPLE_GATEWAY,
      readings: sampleReadings(99),
      bounds: () => SAMPLE_BOUNDS,
    });
    expect(await verifyBatchProof(artifacts.vkey, proof.proof, batchPublicSignals(other))).toBe(false);
    expect(await verifyBatchProof(artifacts.vkey, { ...proof.proof, pi_a: ["1", "2", "1"] }, proof.publicSignals)).toBe(false);
  });

  it("proves a full batch", async () => {
    const readings = sampleReadings(BATCH_CAPACITY);
    const bounds = () => SAMPLE_BOUNDS;
    const full = BatchCommitment.build(hasher, {
      gatewayId: SAMPLE_GATEWAY,
      readings: readings.slice(0, batchablePrefix(readings, bounds)),
      bounds,
    });
    expect(full.codeBitsUsed).toBe(CODE_BITS);
    const fullProof = await proveBatch(artifacts, batchCircuitInput(full));
    expect(await verifyBatchProof(artifacts.vkey, fullProof.proof, fullProof.publicSignals)).toBe(true);
  });

  describe("has no witness for", () => {
    // The witness generator prints each failed assertion before throwing it.
    beforeAll(() => {
      vi.spyOn(console, "error").mockImplementation(() => undefined);
    });
    afterAll(() => {
      vi.restoreAllMocks();
    });
    const refuses = (input: () => BatchCircuitInput) => expect(proveBatch(artifacts, input())).rejects.toThrow(CircuitsError);

    it("a claims word beyond its bits, the only way left to write a code outside its range", async () => {
      const codes = [...commitment.words];
      codes[HEADER_WORDS + 2] = (codes[HEADER_WORDS + 2] as bigint) + (1n << BigInt(CODE_WORD_BITS));
      await refuses(() => forged({ words: codes }));
      const headers = [...commitment.words];
      headers[1] = (headers[1] as bigint) + (1n << BigInt(2 * HEADERS_PER_WORD));
      await refuses(() => forged({ words: headers }));
    });

    it("a reading count or anomaly count other than the words say", async () => {
      await refuses(() => forged({ header: { readingCount: 99 } }));
      await refuses(() => forged({ header: { anomalyCount: commitment.header.anomalyCount + 1 } }));
    });

    it("an anomaly flag on a padding slot", async () => {
      const words = [...commitment.words];
      words[HEADER_WORDS - 1] = 2n;
      await refuses(() => forged({ words, header: { anomalyCount: commitment.header.anomalyCount + 1 } }));
    });

    it("a window that ends before it starts or spans more than the time code", async () => {
      await refuses(() => forged({ header: { windowEndSec: commitment.header.windowStartSec - 1 } }));
      await refuses(() => forged({ header: { windowEndSec: commitment.header.windowStartSec + 2 ** TIME_BITS } }));
    });

    it("a batch root that is not the hash of the claims", async () => {
      await refuses(() => ({ ...batchCircuitInput(commitment), batchRoot: (commitment.root + 1n).toString() }));
      await refuses(() => ({ ...batchCircuitInput(commitment), detailsRoot: "1" }));
    });
  });
});
