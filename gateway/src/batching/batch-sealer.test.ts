import {
  BATCH_CAPACITY,
  BatchCommitment,
  bytes32ToField,
  CODE_BITS,
  loadPoseidon,
  MAX_WINDOW_SPAN_SEC,
} from "@intelledger/circuits";
import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { BatchStore } from "../store/batch-store.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../store/reading-store.js";
import { BatchSealer } from "./batch-sealer.js";

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

async function sealerWith(receivedAt: readonly number[], nowMs: number) {
  const db = openGatewayDatabase(":memory:");
  const readings = new ReadingStore(db);
  const batches = new BatchStore(db);
  readings.commitFrames(receivedAt.map((at, i) => frame(i + 1, at)));
  const identity = Wallet.createRandom();
  const sealer = new BatchSealer({
    readings,
    batches,
    hasher: await loadPoseidon(),
    identity: new Wallet(identity.privateKey),
    maxReadings: BATCH_CAPACITY,
    maxAgeMs: 2_000,
    dataClasses: [0],
    clock: { read: () => ({ nowMs, uncertain: false, boot: 1, uptimeMs: nowMs - START_MS }) },
  });
  return { sealer, readings, batches, identity };
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
    const members = readings.ofClassBetween(0, first?.firstGatewaySeq ?? 0, first?.lastGatewaySeq ?? 0);
    const root = BatchCommitment.build(await loadPoseidon(), { gatewayId: identity.address, readings: members }).root;
    expect(bytes32ToField(first?.readingsRoot ?? new Uint8Array(32))).toBe(root);
  });

  it("closes a batch before a reading that arrives beyond the proof's time window", async () => {
    const late = START_MS + (MAX_WINDOW_SPAN_SEC + 1) * 1000;
    const { sealer, batches } = await sealerWith([START_MS, START_MS + 500, late, late + 10], START_MS + 500);
    // Young, but it cannot grow: the next reading does not fit its window.
    expect(await sealer.sealDue()).toBe(1);
    expect(batches.get(1)).toMatchObject({ readingCount: 2, firstGatewaySeq: 1, lastGatewaySeq: 2 });
    expect(batches.get(2)).toBeUndefined();
  });
});
