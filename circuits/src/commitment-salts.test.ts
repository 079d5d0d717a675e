import { createHash, createHmac, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { BatchCommitment, codeBitsAt } from "./batch-commitment.js";
import { CODE_BITS } from "./batch-layout.js";
import { CommitmentSalts, DETAILS_SALT_BYTES, SALT_SEED_BYTES } from "./commitment-salts.js";
import { CircuitsError } from "./errors.js";
import { loadPoseidon, type PoseidonHasher } from "./poseidon-hasher.js";
import { verifyReadingInclusion } from "./reading-inclusion.js";
import { HmacSha256, sha256 } from "./sha256.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "./sample-readings.js";

let hasher: PoseidonHasher;
const readings = sampleReadings(20);
const seed = randomBytes(SALT_SEED_BYTES);

beforeAll(async () => {
  hasher = await loadPoseidon();
});

const build = (saltSeed?: Uint8Array) =>
  BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds: () => SAMPLE_BOUNDS, saltSeed });

describe("salted batch commitments (layout 2)", () => {
  it("salt every details leaf: a reading's inclusion verifies with its own salt only", () => {
    const salted = build(seed);
    expect(salted.root).not.toBe(build().root);
    expect(salted.root).not.toBe(build(randomBytes(SALT_SEED_BYTES)).root);
    expect(build(Buffer.from(seed)).root).toBe(salted.root);
    readings.forEach((reading, i) => {
      const inclusion = salted.inclusion(i);
      expect(inclusion.salt).toHaveLength(DETAILS_SALT_BYTES);
      expect(verifyReadingInclusion(hasher, reading, inclusion, salted.root).index).toBe(i);
    });
    const inclusion = salted.inclusion(3);
    const reading = readings[3]!;
    expect(() => verifyReadingInclusion(hasher, reading, { ...inclusion, salt: undefined }, salted.root)).toThrow(/details root/);
    expect(() => verifyReadingInclusion(hasher, reading, { ...inclusion, salt: salted.inclusion(4).salt }, salted.root)).toThrow(
      /details root/,
    );
  });

  it("commit to the streams by a tree of salted leaves: an inclusion names its own stream only", () => {
    const salted = build(seed);
    expect(salted.streams.length).toBeGreaterThan(4);
    const inclusion = salted.inclusion(5);
    expect(inclusion.streams).toBeUndefined();
    expect(inclusion.streamSalt).toHaveLength(DETAILS_SALT_BYTES);
    expect(inclusion.stream).toEqual(salted.streams[inclusion.streamIndex]);
    const reading = readings[5]!;
    const wider = { ...inclusion, stream: { ...inclusion.stream, max: inclusion.stream.max + 1 } };
    expect(() => verifyReadingInclusion(hasher, reading, wider, salted.root)).toThrow(/streams hash/);
    const unsalted = { ...inclusion, streamSalt: salted.inclusion(6).streamSalt };
    expect(() => verifyReadingInclusion(hasher, reading, unsalted, salted.root)).toThrow(/streams hash/);
  });

  it("fill the code bits no reading uses from the seed, so the claims root cannot be searched for", () => {
    const plain = build();
    const salted = build(seed);
    expect(plain.words.slice(0, 3)).toEqual(salted.words.slice(0, 3));
    const used = salted.codeBitsUsed;
    expect(codeBitsAt(salted.words, 0, used)).toBe(codeBitsAt(plain.words, 0, used));
    expect(codeBitsAt(plain.words, used, CODE_BITS - used)).toBe(0n);
    const padding = codeBitsAt(salted.words, used, CODE_BITS - used);
    expect(padding).toBe(new CommitmentSalts(seed).padding(CODE_BITS - used));
    // As docs/wire-formats.md defines it: bit t is bit t mod 8 of byte t / 8 of the HMAC blocks.
    const blocks = Buffer.concat(
      Array.from({ length: 3 }, (_, j) =>
        createHmac("sha256", seed)
          .update(Buffer.concat([Buffer.from("padding"), Buffer.from([0, 0, 0, j])]))
          .digest(),
      ),
    );
    const bit = (t: number) => ((blocks[t >> 3] ?? 0) >> (t & 7)) & 1;
    for (const t of [0, 1, 7, 8, 255, 256, 600]) {
      if (t < CODE_BITS - used) expect(Number((padding >> BigInt(t)) & 1n), `padding bit ${t}`).toBe(bit(t));
    }
    // About half the padding bits are set: unguessable, not a constant.
    const ones = padding
      .toString(2)
      .split("")
      .filter((bit) => bit === "1").length;
    expect(ones).toBeGreaterThan((CODE_BITS - used) / 3);
    expect(ones).toBeLessThan(((CODE_BITS - used) * 2) / 3);
  });

  it("are node:crypto's HMAC-SHA256 of the seed", () => {
    const salts = new CommitmentSalts(seed);
    const hmac = (label: string, index: number) =>
      createHmac("sha256", seed)
        .update(Buffer.concat([Buffer.from(label, "ascii"), Buffer.from([0, 0, index >> 8, index & 0xff])]))
        .digest();
    for (const index of [0, 1, 255, 300]) {
      expect(Buffer.from(salts.details(index))).toEqual(hmac("details", index).subarray(0, DETAILS_SALT_BYTES));
      expect(Buffer.from(salts.stream(index))).toEqual(hmac("stream", index).subarray(0, DETAILS_SALT_BYTES));
    }
    // Keys and messages of every length class: shorter than, equal to and longer than the 64-byte block.
    for (const [keyLength, messageLength] of [
      [32, 11],
      [64, 0],
      [100, 200],
      [1, 64],
    ] as const) {
      const key = randomBytes(keyLength);
      const message = randomBytes(messageLength);
      const hmac = new HmacSha256(key);
      // Twice under one key: a key serves any number of messages.
      for (let round = 0; round < 2; round++) {
        expect(Buffer.from(hmac.mac(message))).toEqual(createHmac("sha256", key).update(message).digest());
      }
    }
  });

  it("hash as node:crypto's SHA-256 at every length around the block and padding boundaries", () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = randomBytes(length);
      expect(Buffer.from(sha256(bytes)), `${length} bytes`).toEqual(createHash("sha256").update(bytes).digest());
    }
  });

  it("refuse a seed of another length", () => {
    expect(() => build(randomBytes(16))).toThrow(CircuitsError);
  });
});
