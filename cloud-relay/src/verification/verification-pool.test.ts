import { BatchCommitment, loadPoseidon } from "@intelledger/circuits";
import { Channel } from "@intelledger/proto/device";
import { batchWithReadings, sealedBatchHeader, ZERO_BATCH_HASH, type Reading } from "@intelledger/proto/relay";
import { afterAll, describe, expect, it } from "vitest";
import { VerificationPool } from "./verification-pool.js";

const GATEWAY = "0x00000000000000000000000000000000000000aa";

function reading(seq: number, anomalous: boolean): Reading {
  return {
    gatewaySeq: seq,
    deviceId: "esp32-01",
    frameCounter: seq,
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

function batchOf(readings: Reading[]) {
  const placement = {
    gatewayId: GATEWAY,
    sequence: 1,
    previousBatchHash: ZERO_BATCH_HASH,
    readingsRoot: new Uint8Array(32),
    sealedAtMs: 0,
    dataClass: 1,
  };
  return batchWithReadings(sealedBatchHeader(placement, readings), readings);
}

describe("the relay's readings root", () => {
  const pool = new VerificationPool({ threads: 1 });
  afterAll(() => pool.close());

  it("is rebuilt from the wire readings with their anomaly flags, as the gateway committed them", async () => {
    const readings = [reading(1, false), reading(2, true), reading(3, false)];
    const hasher = await loadPoseidon();
    const sealed = BatchCommitment.build(hasher, { gatewayId: GATEWAY, readings }).root;
    expect(await pool.root(batchOf(readings))).toBe(sealed);
    // A flag changed on the way does not give the sealed root.
    const tampered = readings.map((r) => ({ ...r, anomalous: r.gatewaySeq === 3 }));
    expect(await pool.root(batchOf(tampered))).not.toBe(sealed);
  });
});
