import {
  BATCH_CAPACITY,
  BatchCommitment,
  bytes32ToField,
  CODE_BITS,
  listedBounds,
  loadPoseidon,
  MAX_WINDOW_SPAN_SEC,
} from "@intelledger/circuits";
import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { BatchOutbox } from "./batch-outbox.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../store/reading-store.js";
import { BatchSealer } from "./batch-sealer.js";
import type { ConfiguredBounds } from "./committed-bounds.js";

const START_MS = 1_763_000_000_000;

/** A one-sample frame of device esp32-01, received at `receivedAtMs`. */
function frame(counter: number, receivedAtMs: number): FrameToStore {
  return {
    deviceId: "esp32-01",
    counter,
    clock: { nowMs: receivedAtMs, uncertain: false, boot: 1, uptimeMs: receivedAtMs - START_MS },
    transport: "mqtt",
    status: undefined,
    samples: [{ channel: 1, index: 0, timestampMs: receivedAtMs - 5, value: 2100 + counter, scale: 2, dataClass: 0 }],
  };
}

async function sealerWith(
  receivedAt: readonly number[],
  nowMs: number,
  scoring?: { timeoutMs: number; onTimeout?: (readings: number) => void },
  bounds?: ConfiguredBounds,
) {
  const db = openGatewayDatabase(":memory:");
  const readings = new ReadingStore(db);
  readings.commitFrames(receivedAt.map((at, i) => frame(i + 1, at)));
  const identity = Wallet.createRandom();
  const batches = new BatchOutbox({ db, gatewayId: identity.address, readings });
  const sealer = new BatchSealer({
    readings,
    outbox: batches,
    hasher: await loadPoseidon(),
    identity: new Wallet(identity.privateKey),
    maxReadings: BATCH_CAPACITY,
    maxAgeMs: 2_000,
    dataClasses: [0],
    clock: { read: () => ({ nowMs, uncertain: false, boot: 1, uptimeMs: nowMs - START_MS }) },
    ...(scoring ? { scoring } : {}),
    ...(bounds ? { bounds } : {}),
  });
  return { sealer, readings, batches, identity, db };
}

describe("BatchSealer", () => {
  it("closes batches when the circuit's code bits are full and commits each by its batch root", async () => {
    // Unbounded streams take 32-bit value codes; all readings arrive within one second.
    const perBatch = Math.floor(CODE_BITS / 32);
    const { sealer, readings, batches, identity } = await sealerWith(
      Array.from({ length: 2 * perBatch + 10 }, (_, i) => START_MS + i),
      START_MS + 1_000,
    );
    // The rest is young and could still grow.
    expect(await sealer.sealDue()).toBe(2);
    expect([batches.get(1)?.readingCount, batches.get(2)?.readingCount]).toEqual([perBatch, perBatch]);
    const first = batches.get(1);
    const members = readings.ofBatch(first as NonNullable<typeof first>);
    // Each batch has a secret salt seed of its own, without which its root cannot be rebuilt.
    expect(first?.saltSeed).toHaveLength(32);
    expect(Buffer.from(first?.saltSeed ?? []).equals(Buffer.from(batches.get(2)?.saltSeed ?? []))).toBe(false);
    const hasher = await loadPoseidon();
    const rebuild = (saltSeed?: Uint8Array) =>
      BatchCommitment.build(hasher, { gatewayId: identity.address, readings: members, saltSeed }).root;
    expect(bytes32ToField(first?.readingsRoot ?? new Uint8Array(32))).toBe(rebuild(first?.saltSeed));
    expect(rebuild()).not.toBe(rebuild(first?.saltSeed));
  });

  it("commits configured stream bounds, so more readings fit a batch, and records them with the batch", async () => {
    // Values 2101.. at scale 2 within 2000..2600: 10-bit value codes instead of 32-bit ones.
    const bounds: ConfiguredBounds = (stream) => (stream.deviceId === "esp32-01" ? { min: 2_000, max: 2_600 } : undefined);
    const count = Math.floor(CODE_BITS / 32) + 20;
    const { sealer, readings, batches, identity } = await sealerWith(
      Array.from({ length: count }, (_, i) => START_MS + i),
      START_MS + 5_000,
      undefined,
      bounds,
    );
    expect(await sealer.sealDue()).toBe(1);
    const batch = batches.get(1);
    expect(batch?.readingCount).toBe(count);
    expect(batch?.streamBounds).toEqual([
      { deviceId: "esp32-01", channel: 1, channelIndex: 0, scale: 2, min: 2_000, max: 2_600 },
    ]);
    const members = readings.ofBatch(batch as NonNullable<typeof batch>);
    const hasher = await loadPoseidon();
    const rebuilt = BatchCommitment.build(hasher, {
      gatewayId: identity.address,
      readings: members,
      bounds: listedBounds(batch?.streamBounds ?? []),
      saltSeed: batch?.saltSeed,
    });
    expect(bytes32ToField(batch?.readingsRoot ?? new Uint8Array(32))).toBe(rebuilt.root);
  });

  it("commits a stream unbounded in a batch where one of its readings lies outside its bounds", async () => {
    // The third reading reads 2103, above the bound.
    const { sealer, batches } = await sealerWith([START_MS, START_MS + 1, START_MS + 2], START_MS + 5_000, undefined, () => ({
      min: 2_000,
      max: 2_102,
    }));
    expect(await sealer.sealDue()).toBe(1);
    expect(batches.get(1)).toMatchObject({ readingCount: 3, streamBounds: [] });
  });

  it("closes a batch before a reading that arrives beyond the proof's time window", async () => {
    const late = START_MS + (MAX_WINDOW_SPAN_SEC + 1) * 1000;
    const { sealer, batches } = await sealerWith([START_MS, START_MS + 500, late, late + 10], START_MS + 500);
    // Young, but it cannot grow: the next reading does not fit its window.
    expect(await sealer.sealDue()).toBe(1);
    expect(batches.get(1)).toMatchObject({ readingCount: 2, firstGatewaySeq: 1, lastGatewaySeq: 2 });
    expect(batches.get(2)).toBeUndefined();
  });

  describe("with inference on", () => {
    const decide = (db: ReturnType<typeof openGatewayDatabase>, seqs: readonly number[], anomalous: (seq: number) => boolean) => {
      for (const seq of seqs) {
        db.prepare("UPDATE readings SET anomalous = ?, anomaly_score = 1, model_version = 'm@1' WHERE gateway_seq = ?").run(
          anomalous(seq) ? 1 : 0,
          seq,
        );
      }
    };

    it("seals only readings whose flag is decided, and commits the flags", async () => {
      const { sealer, batches, readings, db, identity } = await sealerWith(
        [START_MS, START_MS + 1, START_MS + 2, START_MS + 3],
        START_MS + 5_000,
        {
          timeoutMs: 30_000,
        },
      );
      expect(await sealer.sealDue()).toBe(0);
      decide(db, [1, 2], (seq) => seq === 2);
      expect(await sealer.sealDue()).toBe(1);
      const batch = batches.get(1);
      expect(batch).toMatchObject({ firstGatewaySeq: 1, lastGatewaySeq: 2 });
      const members = readings.ofBatch({ dataClass: 0, firstGatewaySeq: 1, lastGatewaySeq: 2 });
      expect(members.map((r) => r.anomalous)).toEqual([false, true]);
      const hasher = await loadPoseidon();
      const root = (flags: boolean[]) =>
        BatchCommitment.build(hasher, {
          gatewayId: identity.address,
          readings: members.map((r, i) => ({ ...r, anomalous: flags[i] ?? false })),
          saltSeed: batch?.saltSeed,
        }).root;
      expect(bytes32ToField(batch?.readingsRoot ?? new Uint8Array(32))).toBe(root([false, true]));
      expect(root([false, false])).not.toBe(root([false, true]));
    });

    it("seals readings the scorer did not reach within the timeout as not anomalous, and says why", async () => {
      const timeouts: number[] = [];
      const now = START_MS + 40_000;
      const { sealer, batches, db } = await sealerWith([START_MS, START_MS + 1, now - 1_000], now, {
        timeoutMs: 30_000,
        onTimeout: (n) => timeouts.push(n),
      });
      expect(await sealer.sealDue()).toBe(1);
      // The young reading waits for its score.
      expect(batches.get(1)).toMatchObject({ firstGatewaySeq: 1, lastGatewaySeq: 2 });
      expect(timeouts).toEqual([2]);
      expect(db.prepare("SELECT gateway_seq, anomalous, unscored_reason FROM readings ORDER BY gateway_seq").all()).toEqual([
        { gateway_seq: 1, anomalous: 0, unscored_reason: "scoring-timeout" },
        { gateway_seq: 2, anomalous: 0, unscored_reason: "scoring-timeout" },
        { gateway_seq: 3, anomalous: null, unscored_reason: null },
      ]);
    });
  });

  it("with inference off, seals readings as not anomalous because inference is off", async () => {
    const { sealer, db } = await sealerWith([START_MS, START_MS + 1], START_MS + 5_000);
    expect(await sealer.sealDue()).toBe(1);
    expect(db.prepare("SELECT DISTINCT anomalous, unscored_reason FROM readings").all()).toEqual([
      { anomalous: 0, unscored_reason: "inference-disabled" },
    ]);
  });
});
