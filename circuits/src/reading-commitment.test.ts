import { describe, expect, it } from "vitest";
import { bytes32ToField, fieldToBytes32, SNARK_FIELD_MODULUS } from "./field.js";
import { deviceIdToField, detailsLeaf, readingCodes, readingHeader, type CommittedReading } from "./reading-commitment.js";

const reading: CommittedReading = {
  gatewaySeq: 7,
  deviceId: "esp32-07",
  frameCounter: 3,
  channel: 1,
  channelIndex: 0,
  sampledAtMs: 1_763_000_000_000,
  receivedAtMs: 1_763_000_002_020,
  value: -2150,
  scale: 2,
};
const context = { min: -4000, max: 8000, windowStartSec: 1_763_000_000, windowEndSec: 1_763_000_010 };

describe("reading commitment", () => {
  it("codes the receive second and the value within their ranges, as wide as the ranges need", () => {
    expect(readingCodes(reading, context)).toEqual({ time: { code: 2n, width: 4 }, value: { code: 1850n, width: 14 } });
    expect(readingHeader(reading)).toBe(1n);
    expect(readingHeader({ ...reading, anomalous: true })).toBe(3n);
  });

  it("has no code for a value outside the bounds or a reading received outside the window", () => {
    expect(() => readingCodes({ ...reading, value: 8001 }, context)).toThrow(/outside/);
    expect(() => readingCodes({ ...reading, value: -4001 }, context)).toThrow(/outside/);
    expect(() => readingCodes({ ...reading, receivedAtMs: 1_762_999_999_999 }, context)).toThrow(/outside/);
  });

  it("changes the details leaf when any detail changes", () => {
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
    const base = hex(detailsLeaf(reading, 0, 0));
    const changes: Partial<CommittedReading>[] = [
      { gatewaySeq: 8 },
      { frameCounter: 4 },
      { sampledAtMs: 1 },
      { receivedAtMs: 1_763_000_002_021 },
      { receivedUptimeMs: 5 },
      { receivedBoot: 2 },
      { timeUncertain: true },
    ];
    for (const change of changes)
      expect(hex(detailsLeaf({ ...reading, ...change }, 0, 0)), JSON.stringify(change)).not.toBe(base);
    expect(hex(detailsLeaf(reading, 1, 0))).not.toBe(base);
    expect(hex(detailsLeaf(reading, 0, 1))).not.toBe(base);
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
