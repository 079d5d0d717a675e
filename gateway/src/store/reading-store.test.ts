import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openGatewayDatabase, type SqliteDatabase } from "./gateway-database.js";
import { ReadingStore, type FrameToStore } from "./reading-store.js";

let db: SqliteDatabase;
let store: ReadingStore;
let counter = 0;

function frame(deviceId: string, dataClass: number, sampledAtMs: number): FrameToStore {
  counter++;
  return {
    deviceId,
    counter,
    clock: { nowMs: 1_800_000_000_000, uncertain: false, boot: 1, uptimeMs: counter },
    transport: "mqtt",
    status: undefined,
    samples: [{ channel: 1, index: 0, timestampMs: sampledAtMs, value: -counter, scale: 2, dataClass }],
  };
}

beforeEach(() => {
  db = openGatewayDatabase(":memory:");
  store = new ReadingStore(db);
});

afterEach(() => db.close());

describe("reading store", () => {
  it("finds a class's readings stored after it was found to have none", () => {
    store.commitFrames([frame("esp32-01", 1, 1_800_000_000_000), frame("esp32-01", 1, 1_800_000_000_000)]);
    expect(store.ofClassAfter(2, 0, 10)).toEqual([]);
    store.commitFrames([frame("esp32-02", 1, 1_799_999_999_000), frame("esp32-02", 2, 1_800_000_000_500)]);
    const found = store.ofClassAfter(2, 0, 10);
    expect(found.map((r) => [r.gatewaySeq, r.deviceId, r.sampledAtMs, r.value])).toEqual([
      [4, "esp32-02", 1_800_000_000_500, -4],
    ]);
    expect(store.ofClassAfter(1, 0, 10).map((r) => [r.deviceId, r.sampledAtMs])).toEqual([
      ["esp32-01", 1_800_000_000_000],
      ["esp32-01", 1_800_000_000_000],
      ["esp32-02", 1_799_999_999_000],
    ]);
    expect(store.storedDataClasses()).toEqual([1, 2]);
  });

  it("gives a source rolled back with its frames no number another source could take", () => {
    const rolledBack = db.transaction(() => {
      store.commitFrames([frame("esp32-gone", 1, 1)]);
      throw new Error("rolled back");
    });
    expect(rolledBack).toThrow("rolled back");
    store.commitFrames([frame("esp32-03", 1, 1)]);
    store.commitFrames([frame("esp32-gone", 1, 1)]);
    expect(store.between(0, 10).map((r) => r.deviceId)).toEqual(["esp32-03", "esp32-gone"]);
  });
});
