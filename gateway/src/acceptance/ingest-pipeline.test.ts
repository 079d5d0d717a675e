import { Channel } from "@intelledger/proto/device";
import { generateDeviceKeys, signFrame } from "@intelledger/test-support";
import { describe, expect, it } from "vitest";
import { ingestPipelineOver } from "../../test/ingest-pipeline-fixture.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { DeviceAdmission } from "./device-admission.js";

const keys = generateDeviceKeys();

function pipelineOverDatabase() {
  return ingestPipelineOver(openGatewayDatabase(":memory:"), {
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
});
