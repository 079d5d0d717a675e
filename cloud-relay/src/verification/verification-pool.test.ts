import { BatchCommitment, compilePoseidon, fieldToBytes32, loadPoseidon } from "@intelledger/circuits";
import { Channel } from "@intelledger/proto/device";
import { Batch, type Reading } from "@intelledger/proto/relay";
import { afterAll, describe, expect, it } from "vitest";
import { VerificationPool } from "./verification-pool.js";

const poseidon = await compilePoseidon();

const GATEWAY = "0x00000000000000000000000000000000000000aa";

function reading(seq: number, anomalous: boolean): Reading {
  return {
    gatewaySeq: seq,
    deviceId: "esp32-01",
    frameCounter: BigInt(seq),
    channel: Channel.CHANNEL_TEMPERATURE,
    channelIndex: 0,
    sampledAtMs: 1_763_000_000_000 + seq,
    receivedAtMs: 1_763_000_000_000 + seq,
    value: 2_100 + seq,
    scale: 2,
    timeUncertain: false,
    receivedBoot: 1,
    receivedUptimeMs: seq,
    anomalous,
  };
}

function encoded(readings: Reading[], header: Partial<Batch> = {}): Uint8Array {
  return Batch.encode({
    gatewayId: GATEWAY,
    saltSeed: new Uint8Array(),
    sequence: 1,
    previousBatchHash: new Uint8Array(32),
    readingsRoot: new Uint8Array(32),
    sealedAtMs: 0,
    dataClass: 1,
    readingCount: readings.length,
    firstGatewaySeq: readings[0]?.gatewaySeq ?? 1,
    lastGatewaySeq: readings.at(-1)?.gatewaySeq ?? 1,
    streamBounds: [],
    readings,
    ...header,
  }).finish();
}

describe("the relay's readings check", () => {
  const pool = new VerificationPool({ threads: 1, poseidon });
  afterAll(() => pool.close());

  it("rebuilds the root from the wire readings with their anomaly flags, as the gateway committed them", async () => {
    const readings = [reading(1, false), reading(2, true), reading(3, false)];
    const hasher = await loadPoseidon();
    const sealed = BatchCommitment.build(hasher, { gatewayId: GATEWAY, readings }).root;
    expect(fieldToBytes32(sealed)).toHaveLength(32);
    expect(await pool.readings(encoded(readings))).toEqual({ root: sealed.toString() });
    // A flag changed on the way does not give the sealed root.
    const tampered = readings.map((r) => ({ ...r, anomalous: r.gatewaySeq === 3 }));
    expect(await pool.readings(encoded(tampered))).not.toEqual({ root: sealed.toString() });
  });

  it("rebuilds the root with the stream bounds the batch lists, and misses it with other bounds", async () => {
    const readings = [reading(1, false), reading(2, false)];
    const bounds = { min: 2_000, max: 2_200 };
    const sealed = BatchCommitment.build(await loadPoseidon(), { gatewayId: GATEWAY, readings, bounds: () => bounds }).root;
    const streamBounds = [{ deviceId: readings[0]!.deviceId, channel: 1, channelIndex: 0, scale: 2, ...bounds }];
    expect(await pool.readings(encoded(readings, { streamBounds }))).toEqual({ root: sealed.toString() });
    expect(await pool.readings(encoded(readings))).not.toEqual({ root: sealed.toString() });
    const wider = [{ ...streamBounds[0]!, max: 2_201 }];
    expect(await pool.readings(encoded(readings, { streamBounds: wider }))).not.toEqual({ root: sealed.toString() });
    // Bounds the readings do not fit commit to nothing at all.
    const narrow = [{ ...streamBounds[0]!, max: 2_000 }];
    expect(await pool.readings(encoded(readings, { streamBounds: narrow }))).toEqual({ root: "-1" });
  });

  it("refuses readings that do not match the header: count, order, range", async () => {
    const readings = [reading(1, false), reading(2, false), reading(3, false)];
    expect(await pool.readings(encoded(readings, { readingCount: 4 }))).toEqual({
      mismatch: {
        message: "batch 1 holds 3 readings but its header says 4",
        details: { sequence: 1, readings: 3, readingCount: 4 },
      },
    });
    expect(
      await pool.readings(encoded([reading(2, false), reading(1, false)], { firstGatewaySeq: 1, lastGatewaySeq: 2 })),
    ).toMatchObject({
      mismatch: { message: "batch 1 holds reading 1 out of order or outside its range" },
    });
    expect(await pool.readings(encoded(readings, { lastGatewaySeq: 5 }))).toMatchObject({
      mismatch: { message: "batch 1 readings do not span its declared range" },
    });
  });

  it("answers readings that do not decode as a mismatch, not an error", async () => {
    // A reading whose gateway_seq (field 1, varint) is 2^60: beyond a safe JavaScript integer.
    const hugeSeq = Uint8Array.of(0x32, 10, 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10);
    const verdict = await pool.readings(Buffer.concat([encoded([reading(1, false)]), hugeSeq]));
    expect("mismatch" in verdict && verdict.mismatch.message).toMatch(/^batch readings do not decode/);
  });
});
