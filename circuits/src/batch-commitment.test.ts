import { beforeAll, describe, expect, it } from "vitest";
import { BatchCommitment, batchablePrefix } from "./batch-commitment.js";
import { BATCH_CAPACITY, CODE_BITS, HEADER_WORDS, MAX_WINDOW_SPAN_SEC } from "./batch-layout.js";
import { CircuitsError } from "./errors.js";
import { loadPoseidon, type PoseidonHasher } from "./poseidon-hasher.js";
import type { CommittedReading } from "./reading-commitment.js";
import { verifyReadingInclusion } from "./reading-inclusion.js";
import { SAMPLE_BOUNDS, SAMPLE_GATEWAY, sampleReadings } from "./sample-readings.js";
import { referenceBatchRoot } from "../test/reference-batch-root.js";
import { boundedStreams, listedBounds, streamsHash, unboundedStreams, type StreamKey } from "./stream-table.js";

let hasher: PoseidonHasher;
beforeAll(async () => {
  hasher = await loadPoseidon();
});

const bounds = () => SAMPLE_BOUNDS;
const build = (readings: CommittedReading[], gatewayId = SAMPLE_GATEWAY) =>
  BatchCommitment.build(hasher, { gatewayId, readings, bounds });

describe("BatchCommitment", () => {
  it("states the batch's claims: window, counts, stream table", () => {
    const readings = sampleReadings(70);
    const commitment = build(readings);
    expect(commitment.header).toMatchObject({
      windowStartSec: 1_763_000_000,
      windowEndSec: 1_763_000_002,
      readingCount: 70,
      anomalyCount: readings.filter((reading) => reading.anomalous).length,
      gatewayId: BigInt(SAMPLE_GATEWAY),
    });
    expect(commitment.streams).toHaveLength(32);
    expect(commitment.header.streamsHash).toBe(streamsHash(commitment.streams));
    // 2-bit time codes (a 3-second window) and 14-bit value codes (bounds spanning 16,000).
    expect(commitment.codeBitsUsed).toBe(70 * 16);
    expect(commitment.words.slice(1, HEADER_WORDS).every((word) => word === 0n)).toBe(true);
    expect(commitment.words.slice(HEADER_WORDS + 5).every((word) => word === 0n)).toBe(true);
  });

  it("changes its root when any reading, the gateway or the bounds change", () => {
    const readings = sampleReadings(20);
    const root = build(readings).root;
    const changed = (change: Partial<CommittedReading>) =>
      build(readings.map((r, i) => (i === 7 ? { ...r, ...change } : r))).root;
    for (const change of [
      { value: 1 },
      { anomalous: true },
      { receivedAtMs: readings[7]!.receivedAtMs + 1 },
      { frameCounter: 99 },
      { deviceId: "other" },
    ]) {
      expect(changed(change), JSON.stringify(change)).not.toBe(root);
    }
    expect(build(readings, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC").root).not.toBe(root);
    expect(
      BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds: () => ({ min: -4001, max: 12_000 }) }).root,
    ).not.toBe(root);
  });

  it("is rebuilt from the bounded streams the wire lists, some streams bounded and the rest not", () => {
    const readings = sampleReadings(40);
    const firstDevice = readings[0]!.deviceId;
    const mixed = (stream: StreamKey) => (stream.deviceId === firstDevice ? SAMPLE_BOUNDS : unboundedStreams(stream));
    const sealed = BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds: mixed });
    const listed = boundedStreams(sealed.streams);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThan(sealed.streams.length);
    expect(new Set(listed.map((stream) => stream.deviceId))).toEqual(new Set([firstDevice]));
    const rebuilt = BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings, bounds: listedBounds(listed) });
    expect(rebuilt.root).toBe(sealed.root);
    expect(BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings }).root).not.toBe(sealed.root);
  });

  it("has no commitment for a value outside its stream's bounds", () => {
    const readings = sampleReadings(10);
    readings[3] = { ...readings[3]!, value: SAMPLE_BOUNDS.max + 1 };
    expect(() => build(readings)).toThrow(/outside -4000..12000/);
  });

  it("refuses empty and oversized batches, a window too long, a bad gateway and bad bounds", () => {
    expect(() => build([])).toThrow(CircuitsError);
    expect(() => build(sampleReadings(BATCH_CAPACITY + 1))).toThrow(/1 to 372/);
    expect(() => BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings: sampleReadings(BATCH_CAPACITY) })).toThrow(
      /take 13392 bits; a batch has 5292/,
    );
    const late = sampleReadings(2);
    late[1] = { ...late[1]!, receivedAtMs: late[0]!.receivedAtMs + (MAX_WINDOW_SPAN_SEC + 1) * 1000 };
    expect(() => build(late)).toThrow(/at most 63/);
    expect(() => build(sampleReadings(2), "gateway")).toThrow(/not an address/);
    expect(() =>
      BatchCommitment.build(hasher, {
        gatewayId: SAMPLE_GATEWAY,
        readings: sampleReadings(2),
        bounds: () => ({ min: 5, max: 4 }),
      }),
    ).toThrow(/not ordered/);
  });

  it("defaults to unbounded streams, which take any int32 value", () => {
    const readings = sampleReadings(3).map((reading, i) => ({ ...reading, value: [-(2 ** 31), 0, 2 ** 31 - 1][i] ?? 0 }));
    expect(BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings }).streams[0]).toMatchObject({
      min: -(2 ** 31),
      max: 2 ** 31 - 1,
    });
  });

  it("gives every reading an inclusion that leads to the root, and none that a tampered reading passes", () => {
    const readings = sampleReadings(50);
    const commitment = build(readings);
    readings.forEach((reading, i) => verifyReadingInclusion(hasher, reading, commitment.inclusion(i), commitment.root));
    const inclusion = commitment.inclusion(9);
    const reading = readings[9]!;
    const fails =
      (r: CommittedReading, inc = inclusion, root = commitment.root) =>
      () =>
        verifyReadingInclusion(hasher, r, inc, root);
    expect(fails({ ...reading, value: reading.value + 1 })).toThrow(/differs from its batch's claims/);
    expect(fails({ ...reading, frameCounter: 1234 })).toThrow(/details root/);
    expect(fails({ ...reading, deviceId: "esp32-9" })).toThrow(/stream/);
    expect(fails({ ...reading, receivedAtMs: reading.receivedAtMs + 3_600_000 })).toThrow(/outside what its batch committed to/);
    expect(fails(reading, { ...inclusion, index: 10 })).toThrow(CircuitsError);
    expect(fails(reading, { ...inclusion, detailsPath: inclusion.detailsPath.slice(1) })).toThrow(/details root/);
    expect(fails(reading, inclusion, commitment.root + 1n)).toThrow(/batch root/);
    expect(fails(reading, { ...inclusion, header: { ...inclusion.header, anomalyCount: 0 } })).toThrow(/batch root/);
  });

  it("tells a sealer where a batch must end: capacity, window or code bits", () => {
    const readings = sampleReadings(BATCH_CAPACITY + 10);
    // Narrow bounds: every slot fits.
    const steady = readings.map((reading) => ({ ...reading, value: 5 }));
    expect(batchablePrefix(steady, () => ({ min: 0, max: 15 }))).toBe(BATCH_CAPACITY);
    // The sample bounds take 14-bit value codes, the window 4-bit time codes.
    expect(batchablePrefix(readings, bounds)).toBe(CODE_BITS / 18);
    // Unbounded streams take 32-bit value codes; 151 readings arrive within 5 s: 3-bit time codes.
    const unbounded = batchablePrefix(readings);
    expect(unbounded).toBe(Math.floor(CODE_BITS / 35));
    expect(() =>
      BatchCommitment.build(hasher, { gatewayId: SAMPLE_GATEWAY, readings: readings.slice(0, unbounded) }),
    ).not.toThrow();
    const spread = sampleReadings(5).map((reading, i) => ({ ...reading, receivedAtMs: 1_763_000_000_000 + i * 30_000 }));
    expect(batchablePrefix(spread)).toBe(3);
  });

  it("has the root the plain computation of its definition gives, for batches of every shape", () => {
    const gateway = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    const firstDevice = sampleReadings(1)[0]!.deviceId;
    const mixed = (stream: StreamKey) => (stream.deviceId === firstDevice ? SAMPLE_BOUNDS : unboundedStreams(stream));
    const varied = sampleReadings(BATCH_CAPACITY, 1_763_000_000_000, 20).map((reading, i): CommittedReading => {
      // Counters past 2^53 (bigints), times beyond 32 bits, uncertain clocks, other boots.
      const varying: CommittedReading = {
        ...reading,
        frameCounter: i % 5 === 0 ? 2n ** 63n + BigInt(i) : Number(reading.frameCounter) * 2 ** 33,
        receivedAtMs: reading.receivedAtMs + ((i * 7919) % 9_000),
      };
      if (i % 3 !== 0) varying.receivedUptimeMs = 2 ** 40 + i;
      if (i % 4 !== 0) varying.receivedBoot = 7;
      if (i % 6 === 0) varying.timeUncertain = true;
      return varying;
    });
    for (const resolver of [bounds, unboundedStreams, mixed]) {
      const fit = batchablePrefix(varied, resolver);
      for (const count of [1, 2, 3, 31, 32, 33, 64, 65, fit]) {
        const readings = varied.slice(0, Math.min(count, fit));
        const commitment = BatchCommitment.build(hasher, { gatewayId: gateway, readings, bounds: resolver });
        expect(commitment.root, `${readings.length} readings`).toBe(referenceBatchRoot(hasher, gateway, readings, resolver));
      }
    }
    const full = varied.map((reading) => ({ ...reading, value: 3 }));
    expect(batchablePrefix(full, () => ({ min: 0, max: 3 }))).toBe(BATCH_CAPACITY);
    expect(BatchCommitment.build(hasher, { gatewayId: gateway, readings: full, bounds: () => ({ min: 0, max: 3 }) }).root).toBe(
      referenceBatchRoot(hasher, gateway, full, () => ({ min: 0, max: 3 })),
    );
  });
});
