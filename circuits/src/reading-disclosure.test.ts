import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCircuitArtifacts } from "./artifacts.js";
import { BatchCommitment, codeBitsAt } from "./batch-commitment.js";
import { CODE_WORD_BITS, DISCLOSURE_PUBLIC_SIGNALS, HEADERS_PER_WORD } from "./batch-layout.js";
import { releaseSnarkThreads, verifyDisclosureProof } from "./batch-verifier.js";
import { SALT_SEED_BYTES } from "./commitment-salts.js";
import { CircuitsError } from "./errors.js";
import { loadPoseidon, type PoseidonHasher } from "./poseidon-hasher.js";
import { disclosureCircuitInput, proveDisclosure } from "./reading-disclosure.js";
import { disclosureSignals, verifyReadingInclusion } from "./reading-inclusion.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "./sample-readings.js";

// Real witnesses and real Groth16 proofs with the committed disclosure proving key.
const artifacts = loadCircuitArtifacts("reading-disclosure");
let hasher: PoseidonHasher;
let commitment: BatchCommitment;
const readings = sampleReadings(200);

beforeAll(async () => {
  hasher = await loadPoseidon();
  commitment = BatchCommitment.build(hasher, {
    gatewayId: SAMPLE_GATEWAY,
    readings,
    bounds: () => SAMPLE_BOUNDS,
    saltSeed: randomBytes(SALT_SEED_BYTES),
  });
});

afterAll(async () => {
  await releaseSnarkThreads();
});

/** A reading whose codes run from one code word into the next. */
function straddling(): number {
  const index = readings.findIndex((_, i) => {
    const { codeOffset } = commitment.inclusion(i);
    return Math.floor(codeOffset / CODE_WORD_BITS) !== Math.floor((codeOffset + 17) / CODE_WORD_BITS);
  });
  expect(index).toBeGreaterThan(0);
  return index;
}

describe("reading disclosure circuit", () => {
  it("proves a reading's claims against the claims root: what a verifier expects from the reading alone", async () => {
    expect(artifacts.vkey.nPublic).toBe(DISCLOSURE_PUBLIC_SIGNALS.length);
    // The first reading, one across a word boundary, one in the second header word, one flagged anomalous, the last.
    const anomalous = readings.findIndex((reading, i) => reading.anomalous === true && i > HEADERS_PER_WORD);
    for (const index of [0, straddling(), HEADERS_PER_WORD + 1, anomalous, readings.length - 1]) {
      const inclusion = commitment.inclusion(index);
      const expected = disclosureSignals(verifyReadingInclusion(hasher, readings[index]!, inclusion, commitment.root));
      const { proof, publicSignals } = await proveDisclosure(artifacts, disclosureCircuitInput(inclusion));
      expect(publicSignals, `reading ${index}`).toEqual(expected);
      expect(await verifyDisclosureProof(artifacts.vkey, proof, publicSignals)).toBe(true);
    }
  }, 300_000);

  it("cannot prove a value, flag, slot, offset or width the words do not hold, nor verify changed signals", async () => {
    const index = straddling();
    const input = disclosureCircuitInput(commitment.inclusion(index));
    const [offset, width] = [Number(input.codeOffset), Number(input.width)];
    // Claims the words do not hold: what they hold at another offset or width, their top bit flipped.
    const heldElsewhere = (at: number, bits: number) => String(codeBitsAt(commitment.words, at, bits) ^ (1n << BigInt(bits - 1)));
    // A slot's index is bound by the details path; here, one whose header differs.
    const otherFlag = readings.findIndex((reading) => reading.anomalous !== readings[index]!.anomalous);
    const forgeries = [
      { code: String(BigInt(input.code) ^ (1n << 10n)) },
      { header: input.header === "1" ? "3" : "1" },
      { index: String(otherFlag) },
      { codeOffset: String(offset + 1), code: heldElsewhere(offset + 1, width) },
      { width: String(width + 1), code: heldElsewhere(offset, width + 1) },
      { claimsRoot: String(BigInt(input.claimsRoot) + 1n) },
      { index: "372" },
      { codeOffset: String(21 * CODE_WORD_BITS) },
    ];
    for (const forgery of forgeries) {
      await expect(proveDisclosure(artifacts, { ...input, ...forgery }), JSON.stringify(forgery)).rejects.toThrow(CircuitsError);
    }
    const { proof, publicSignals } = await proveDisclosure(artifacts, input);
    for (let i = 0; i < publicSignals.length; i++) {
      const changed = publicSignals.map((signal, j) => (j === i ? String(BigInt(signal) + 1n) : signal));
      expect(await verifyDisclosureProof(artifacts.vkey, proof, changed), DISCLOSURE_PUBLIC_SIGNALS[i]).toBe(false);
    }
  }, 300_000);
});
