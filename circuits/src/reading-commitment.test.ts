import { beforeAll, describe, expect, it } from "vitest";
import { bytes32ToField, fieldToBytes32, SNARK_FIELD_MODULUS } from "./field.js";
import { loadPoseidon, type PoseidonHasher } from "./poseidon-hasher.js";
import { deviceIdToField, readingLeaf, type CommittedReading } from "./reading-commitment.js";

let hasher: PoseidonHasher;
beforeAll(async () => {
  hasher = await loadPoseidon();
});

const reading: CommittedReading = {
  gatewaySeq: 7,
  deviceId: "esp32-07",
  frameCounter: 3,
  channel: 1,
  channelIndex: 0,
  sampledAtMs: 1_763_000_000_000,
  receivedAtMs: 1_763_000_000_020,
  value: -2150,
  scale: 2,
};

describe("reading commitment", () => {
  it("changes when any committed field changes", () => {
    const base = readingLeaf(hasher, reading);
    for (const [field, value] of Object.entries({
      gatewaySeq: 8,
      deviceId: "esp32-08",
      frameCounter: 4,
      channel: 2,
      channelIndex: 1,
      sampledAtMs: 1,
      receivedAtMs: 2,
      value: 2150,
      scale: 3,
    })) {
      expect(readingLeaf(hasher, { ...reading, [field]: value }), field).not.toBe(base);
    }
  });

  it("packs device ids reversibly and refuses ids that do not fit", () => {
    expect(deviceIdToField("AB")).toBe(0x4142n);
    expect(() => deviceIdToField("")).toThrow(/device id/);
    expect(() => deviceIdToField("x".repeat(32))).toThrow(/1 to 31/);
    expect(() => deviceIdToField("bad id")).toThrow(/bad id/);
  });
});

describe("field encoding", () => {
  it("round-trips through 32 bytes and refuses values outside the field", () => {
    const value = SNARK_FIELD_MODULUS - 1n;
    expect(bytes32ToField(fieldToBytes32(value))).toBe(value);
    expect(() => fieldToBytes32(SNARK_FIELD_MODULUS)).toThrow(/not a field element/);
    expect(() => bytes32ToField(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => bytes32ToField(new Uint8Array(32).fill(0xff))).toThrow(/beyond the field/);
  });
});
