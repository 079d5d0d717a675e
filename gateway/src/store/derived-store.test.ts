import { loadPoseidon } from "@intelledger/circuits";
import { Channel } from "@intelledger/proto/device";
import { Wallet } from "ethers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BatchSealer } from "../batch/batch-sealer.js";
import { GatewayClock } from "../clock/gateway-clock.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { DataClasses } from "./data-classes.js";
import { BatchOutbox } from "../batch/batch-outbox.js";
import { openGatewayDatabase, type SqliteDatabase } from "./gateway-database.js";
import { ReadingStore } from "./reading-store.js";
import { DerivedStore } from "./derived-store.js";

let db: SqliteDatabase;
let derived: DerivedStore;
const now = 1_800_000_000_000;
const storage = { full: false };

beforeEach(() => {
  db = openGatewayDatabase(":memory:");
  storage.full = false;
  derived = new DerivedStore({
    db,
    readings: new ReadingStore(db),
    clock: new GatewayClock({ boot: 1, wallNow: () => now, uptimeNow: () => 5_000 }),
    dataClasses: new DataClasses({ vibration: 3 }),
    storage,
    groupCommitDelayMs: 1,
  });
});

afterEach(() => db.close());

describe("derived store", () => {
  it("stores derived readings as readings of flow.<source>, counting per source", async () => {
    const first = await derived.writeReading({
      source: "rms",
      channel: Channel.CHANNEL_VIBRATION,
      channelIndex: 0,
      value: 214,
      scale: 3,
    });
    const [second, other] = await Promise.all([
      derived.writeReading({
        source: "rms",
        channel: Channel.CHANNEL_VIBRATION,
        channelIndex: 0,
        value: 220,
        scale: 3,
        sampledAtMs: now - 5,
      }),
      derived.writeReading({ source: "line-avg", channel: Channel.CHANNEL_TEMPERATURE, channelIndex: 2, value: 2412, scale: 2 }),
    ]);
    expect(first).toEqual({
      gatewaySeq: 1,
      deviceId: "flow.rms",
      frameCounter: 1n,
      channel: Channel.CHANNEL_VIBRATION,
      channelIndex: 0,
      sampledAtMs: now,
      receivedAtMs: now,
      value: 214,
      scale: 3,
      dataClass: 3,
      timeUncertain: false,
      receivedBoot: 1,
      receivedUptimeMs: 5_000,
      // Not decided yet: the anomaly scorer follows the table.
      anomalous: false,
      decided: false,
    });
    expect(second).toMatchObject({ gatewaySeq: 2, frameCounter: 2n, sampledAtMs: now - 5 });
    expect(other).toMatchObject({ gatewaySeq: 3, deviceId: "flow.line-avg", frameCounter: 1n });
    expect(new ReadingStore(db).between(1, 3)).toEqual([first, second, other]);
  });

  it("stores an alert as a reading on the alert channel, with its text beside it", async () => {
    const raised = {
      source: "vibration-watch",
      severity: "critical",
      code: 101,
      message: "bearing failing on press-01",
      subjectDeviceId: "press-01",
      subjectGatewaySeq: 41,
    } as const;
    const { reading, alert } = await derived.raiseAlert(raised);
    expect(reading).toMatchObject({
      deviceId: "flow.vibration-watch",
      channel: Channel.CHANNEL_ALERT,
      channelIndex: 101,
      value: 3,
      scale: 0,
    });
    expect(derived.alerts()).toEqual([alert]);
    expect(alert).toEqual({ gatewaySeq: reading.gatewaySeq, ...raised, raisedAtMs: now });
  });

  it("refuses what does not fit a reading", async () => {
    const valid = { source: "rms", channel: Channel.CHANNEL_VIBRATION, channelIndex: 0, value: 1, scale: 3 };
    await expect(derived.writeReading({ ...valid, source: "no spaces" })).rejects.toThrow(/source name/);
    await expect(derived.writeReading({ ...valid, source: "x".repeat(27) })).rejects.toThrow(/source name/);
    await expect(derived.writeReading({ ...valid, channel: Channel.CHANNEL_ALERT })).rejects.toThrow(/channel/);
    await expect(derived.writeReading({ ...valid, value: 2 ** 31 })).rejects.toThrow(/value/);
    await expect(derived.writeReading({ ...valid, scale: 10 })).rejects.toThrow(/scale/);
    await expect(derived.raiseAlert({ source: "w", severity: "info", code: -1, message: "" })).rejects.toThrow(/code/);
    expect(new ReadingStore(db).count()).toBe(0);
  });

  it("writes nothing while the disk quota is reached", async () => {
    storage.full = true;
    await expect(
      derived.writeReading({ source: "rms", channel: Channel.CHANNEL_VIBRATION, channelIndex: 0, value: 1, scale: 3 }),
    ).rejects.toThrow(/disk quota/);
  });

  it("keeps flow.* device ids away from real devices", () => {
    expect(() => new DeviceRegistry(db).register("flow.rms", new Uint8Array(65))).toThrow(/belong to flows/);
  });

  it("puts what flows wrote into the same signed batches as device readings", async () => {
    const readings = new ReadingStore(db);
    const identity = new Wallet(Wallet.createRandom().privateKey);
    const batches = new BatchOutbox({ db, gatewayId: identity.address, readings });
    await derived.writeReading({ source: "rms", channel: Channel.CHANNEL_ANALOG, channelIndex: 0, value: 214, scale: 3 });
    await derived.raiseAlert({ source: "watch", severity: "warning", code: 7, message: "check press-01" });
    const sealer = new BatchSealer({
      readings,
      outbox: batches,
      hasher: await loadPoseidon(),
      identity,
      maxReadings: 2,
      maxAgeMs: 60_000,
      dataClasses: [1],
      clock: new GatewayClock({ boot: 1, wallNow: () => now, uptimeNow: () => 5_000 }),
    });
    expect(await sealer.sealDue()).toBe(1);
    expect(batches.get(1)).toMatchObject({ firstGatewaySeq: 1, lastGatewaySeq: 2, dataClass: 1 });
  });
});
