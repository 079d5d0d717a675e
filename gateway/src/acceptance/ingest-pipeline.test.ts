import { Channel } from "@intelledger/proto/device";
import { generateDeviceKeys, signFrame } from "@intelledger/test-support";
import { describe, expect, it } from "vitest";
import { ingestPipelineOver } from "../../test/ingest-pipeline-fixture.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { DeviceAdmission } from "./device-admission.js";

const keys = generateDeviceKeys();

function pipelineOverDatabase(db = openGatewayDatabase(":memory:")) {
  return ingestPipelineOver(db, {
    devices: [{ deviceId: "press-01", publicKeyPoint: keys.publicKeyPoint }],
    admission: new DeviceAdmission({
      framesPerSecond: 100,
      burst: 100,
      maxFailures: 5,
      failureWindowMs: 60_000,
      quarantineMs: 60_000,
    }),
    frameLimits: { maxFrameBytes: 512, maxCounterJump: 1_000 },
    // Long enough that the copy arrives while the first is still waiting for its commit.
    groupCommitDelayMs: 200,
  });
}

const frame = (counter: number) =>
  signFrame(
    {
      deviceId: "press-01",
      counter,
      deviceTimeMs: Date.now(),
      uptimeMs: counter,
      samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: Date.now(), value: 2_150, scale: 2 }],
    },
    keys.privateKey,
  );

describe("the ingest pipeline", () => {
  it("answers a copy that arrives while the first is being stored with the first copy's answer", async () => {
    const { pipeline, readings } = pipelineOverDatabase();
    const bytes = frame(1);
    const [first, copy] = await Promise.all([
      pipeline.handle({ transport: "mqtt", bytes }),
      pipeline.handle({ transport: "mqtt", bytes }),
    ]);
    expect(first).toEqual({ accepted: true, deviceId: "press-01" });
    expect(copy).toEqual(first);
    expect(readings.count()).toBe(1);
    expect(pipeline.counters.rejected.replayed).toBe(0);
  });

  it("refuses a copy that arrives after the first was stored as a replay", async () => {
    const { pipeline, readings } = pipelineOverDatabase();
    const bytes = frame(1);
    await pipeline.handle({ transport: "mqtt", bytes });
    expect(await pipeline.handle({ transport: "mqtt", bytes })).toMatchObject({ accepted: false, reason: "replayed" });
    expect(readings.count()).toBe(1);
  });

  it("takes a frame whose storing failed when it is sent again, once, even after later frames were stored", async () => {
    const db = openGatewayDatabase(":memory:");
    // The disk fails the first time frame 1 is written.
    db.exec(`CREATE TABLE failed_once (done INTEGER);
      CREATE TRIGGER fail_frame_1 BEFORE INSERT ON reading_rows
      WHEN NEW.frame_counter = 1 AND NOT EXISTS (SELECT 1 FROM failed_once)
      BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;`);
    const { pipeline, readings } = pipelineOverDatabase(db);
    await expect(pipeline.handle({ transport: "mqtt", bytes: frame(1) })).rejects.toThrow(/disk I\/O error/);
    db.exec("INSERT INTO failed_once VALUES (1)");
    expect(await pipeline.handle({ transport: "mqtt", bytes: frame(2) })).toMatchObject({ accepted: true });
    // The device sends frame 1 again: it is taken, not refused as a replay (which the device takes as delivered).
    const retried = frame(1);
    expect(await pipeline.handle({ transport: "mqtt", bytes: retried })).toMatchObject({ accepted: true });
    expect(await pipeline.handle({ transport: "mqtt", bytes: retried })).toMatchObject({ accepted: false, reason: "replayed" });
    expect(await pipeline.handle({ transport: "mqtt", bytes: frame(2) })).toMatchObject({ accepted: false, reason: "replayed" });
    expect(readings.count()).toBe(2);
  });
});
