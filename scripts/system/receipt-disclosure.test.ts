// One receipt from a running system, in the hands of someone who wants the other readings of
// its batch: every way the receipt could give one away is tried, and each must fail. The
// claims words are not in it, and knowing all of them but one neighbour's value still gives no
// match for the claims root (the padding is salted); a neighbour's details leaf cannot be
// found from its likely fields (its salt is unknown); the stream table is not in it, nor can
// the other streams' leaves be found. Each attack is first shown to work with what only the
// relay holds (the batch's salt seed), so the test fails if the salts stop protecting.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchCommitment,
  CODE_WORD_BITS,
  claimsRootOf,
  CommitmentSalts,
  detailsLeaf,
  HEADER_WORDS,
  listedBounds,
  loadPoseidon,
  streamLeaf,
  type BoundsResolver,
  type CommittedReading,
} from "@intelledger/circuits";
import type { Receipt } from "@intelledger/verify";
import { getBytes, hexlify } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoSystem } from "../demo/demo-system.js";
import { requestReceipt } from "./demo-receipts.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

/** Values tried for a neighbour's reading around its true one, each way. */
const VALUE_GUESSES = Number(process.env["EDGE_DISCLOSURE_GUESSES"] ?? 200);

describe("a receipt discloses its reading and no other reading of its batch", () => {
  let dataDir: string;
  let system: DemoSystem;
  let receipt: Receipt;
  let readings: CommittedReading[];
  let commitment: BatchCommitment;
  let seed: Uint8Array;
  let bounds: BoundsResolver;
  let index: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-disclosure-"));
    system = await startTestDemoSystem(dataDir, { batchMaxAgeMs: 1_000 });
    const { gateway, relay } = system;
    // A batch of several readings of both devices, anchored.
    let sequence = 0;
    await waitFor(
      async () => {
        const batch = gateway.batches
          .from(1, 100)
          .find((candidate) => new Set(gateway.batches.readingsOf(candidate).map((r) => r.deviceId)).size > 1);
        if (batch === undefined || (await relay.batches.anchorOf(gateway.id, batch.sequence)) === undefined) return false;
        sequence = batch.sequence;
        return true;
      },
      240_000,
      "an anchored batch of both devices",
    );
    await system.stopDevices();
    const stored = gateway.batches.get(sequence);
    if (!stored?.saltSeed) throw new Error(`batch ${sequence} has no salt seed`);
    seed = stored.saltSeed;
    readings = gateway.batches.readingsOf(stored);
    bounds = listedBounds(stored.streamBounds);
    commitment = BatchCommitment.build(await loadPoseidon(), {
      gatewayId: gateway.id,
      readings,
      bounds,
      saltSeed: seed,
    });
    // A reading whose details leaf has a reading as its sibling.
    index = readings.length % 2 === 0 ? 1 : Math.min(1, readings.length - 2);
    const gatewaySeq = readings[index]?.gatewaySeq;
    if (gatewaySeq === undefined) throw new Error(`batch ${sequence} has no reading ${index}`);
    const fetchReceipt = async () => {
      for (const deadline = Date.now() + 120_000; ;) {
        const asked = performance.now();
        const response = await requestReceipt(system, dataDir, gatewaySeq);
        if (response.status === 200) return { text: await response.text(), ms: performance.now() - asked };
        if (Date.now() > deadline) throw new Error(`no receipt: ${response.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const first = await fetchReceipt();
    const again = await fetchReceipt();
    receipt = JSON.parse(first.text) as Receipt;
    console.log(
      `receipt: ${Buffer.byteLength(first.text)} bytes of JSON for a batch of ${readings.length} readings; ` +
        `the relay answered in ${first.ms.toFixed(0)} ms with its disclosure proof made, ${again.ms.toFixed(0)} ms once kept`,
    );
  }, 400_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is a receipt of that batch, carrying neither the claims words nor the stream table", () => {
    expect(receipt.version).toBe(2);
    expect(BigInt(receipt.batch.readingsRoot)).toBe(commitment.root);
    expect(receipt.inclusion.words).toBeUndefined();
    expect(receipt.inclusion.streams).toBeUndefined();
    const text = JSON.stringify(receipt);
    for (const word of commitment.words.filter((word) => word > 0n)) {
      expect(text).not.toContain(word.toString());
      expect(text.toLowerCase()).not.toContain(word.toString(16));
    }
    const own = readings[index]?.deviceId;
    for (const other of new Set(readings.map((reading) => reading.deviceId))) {
      if (other !== own) expect(text, `another device's id, ${other}`).not.toContain(other);
    }
  });

  it("gives no neighbour's value from the claims root, even to one who knows every other claims bit", async () => {
    const hasher = await loadPoseidon();
    const neighbour = index ^ 1;
    const truth = readings[neighbour] as CommittedReading;
    const unpadded = withoutPadding(commitment);
    const claimsRoot = BigInt(receipt.inclusion.claimsRoot ?? 0);
    const guesses = [truth.value, ...Array.from({ length: VALUE_GUESSES }, (_, i) => truth.value + i - VALUE_GUESSES / 2)];
    let matched = 0;
    let tried = 0;
    for (const value of guesses) {
      let guessed: BatchCommitment;
      try {
        // Every field of every reading and the bounds known; only the seed is not.
        guessed = BatchCommitment.build(hasher, {
          gatewayId: system.gateway.id,
          readings: readings.map((reading, i) => (i === neighbour ? { ...reading, value } : reading)),
          bounds,
        });
      } catch {
        continue; // outside its stream's bounds: no code
      }
      tried++;
      if (claimsRootOf(hasher, guessed.words) === claimsRoot) matched++;
    }
    expect(tried).toBeGreaterThan(0);
    expect(matched, "a guess of a neighbour's value matched the claims root").toBe(0);
    // With the padding only the relay knows, the true words do match: the padding is what protects them.
    expect(claimsRootOf(hasher, unpadded)).not.toBe(claimsRoot);
    expect(claimsRootOf(hasher, commitment.words)).toBe(claimsRoot);
  }, 300_000);

  it("gives no neighbour's details by trying their likely fields", () => {
    const neighbour = index ^ 1;
    const sibling = hexlify(getBytes(receipt.inclusion.detailsPath[0] as string));
    const truth = readings[neighbour] as CommittedReading;
    const { streamIndex, codeOffset } = commitment.inclusion(neighbour);
    const salts = new CommitmentSalts(seed);
    const leaf = (fields: CommittedReading, salt?: Uint8Array) => hexlify(detailsLeaf(fields, streamIndex, codeOffset, salt));
    // What an attacker can try: the true fields and their neighbours, unsalted or with salts at hand.
    const attempts: string[] = [];
    for (const seqDelta of [-2, -1, 0, 1, 2]) {
      for (const counterDelta of [-1, 0, 1]) {
        const fields = {
          ...truth,
          gatewaySeq: truth.gatewaySeq + seqDelta,
          frameCounter: BigInt(truth.frameCounter) + BigInt(counterDelta),
        };
        // Sequence numbers and counters are unsigned: no attacker tries one below 0.
        if (fields.gatewaySeq < 0 || fields.frameCounter < 0n) continue;
        attempts.push(leaf(fields), leaf(fields, getBytes(receipt.inclusion.salt ?? "0x")), leaf(fields, new Uint8Array(16)));
      }
    }
    expect(
      attempts.filter((attempt) => attempt === sibling),
      "a neighbour's details leaf was found",
    ).toHaveLength(0);
    expect(leaf(truth, salts.details(neighbour)), "the neighbour's true leaf, with its salt").toBe(sibling);
  });

  it("gives no other stream of the batch by trying the streams it may hold", () => {
    const own = commitment.inclusion(index);
    const others = commitment.streams.map((stream, j) => ({ stream, j })).filter(({ j }) => j !== own.streamIndex);
    expect(others.length).toBeGreaterThan(0);
    const siblings = new Set((receipt.inclusion.streamPath ?? []).map((node) => hexlify(getBytes(node))));
    const salts = new CommitmentSalts(seed);
    for (const { stream, j } of others) {
      for (const salt of [new Uint8Array(16), getBytes(receipt.inclusion.streamSalt ?? "0x")]) {
        expect(siblings.has(hexlify(streamLeaf(stream, salt))), `stream ${j} found`).toBe(false);
      }
    }
    const next = own.streamIndex ^ 1;
    const neighbour = commitment.streams[next];
    if (neighbour) expect(siblings.has(hexlify(streamLeaf(neighbour, salts.stream(next))))).toBe(true);
  });
});

/** The batch's claims words with the padding code bits cleared: what the words are without the seed. */
function withoutPadding(commitment: BatchCommitment): bigint[] {
  const used = BigInt(commitment.codeBitsUsed);
  return commitment.words.map((word, i) => {
    if (i < HEADER_WORDS) return word;
    const from = BigInt((i - HEADER_WORDS) * CODE_WORD_BITS);
    const keep = used <= from ? 0n : used - from;
    return keep >= BigInt(CODE_WORD_BITS) ? word : word & ((1n << keep) - 1n);
  });
}
