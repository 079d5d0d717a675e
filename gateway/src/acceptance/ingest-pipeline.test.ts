import { Channel } from "@intelledger/proto/device";
import { generateDeviceKeys, signFrame } from "@intelledger/test-support";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { GatewayClock } from "../clock/gateway-clock.js";
import { DeviceRegistry } from "../devices/device-registry.js";
import { DataClasses } from "../store/data-classes.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { ReadingStore } from "../store/reading-store.js";
import { DeviceAdmission } from "./device-admission.js";
import { FrameAcceptor } from "./frame-acceptor.js";
import { IngestPipeline } from "./ingest-pipeline.js";
import { RefusalLog } from "./refusal-log.js";

const keys = generateDeviceKeys();

function pipelineOverDatabase() {
  const db = openGatewayDatabase(":memory:");
  const registry = new DeviceRegistry(db);
  registry.register("press-01", keys.publicKeyPoint);
  const readings = new ReadingStore(db);
  const logger = pino({ level: "silent" });
  const pipeline = new IngestPipeline({
    acceptor: new FrameAcceptor(
      registry,
      new DeviceAdmission({ framesPerSecond: 100, burst: 100, maxFailures: 5, failureWindowMs: 60_000, quarantineMs: 60_000 }),
      { maxFrameBytes: 512, maxCounterJump: 1_000 },
    ),
    registry,
    readings,
    clock: new GatewayClock({ boot: 1 }),
    dataClasses: new DataClasses({}),
    storage: { full: false },
    storageFullRetryAfterMs: 1_000,
    logger,
    refusals: new RefusalLog({ logger, intervalMs: 60_000 }),
    // Long enough that the copy arrives while the first is still waiting for its commit.
    groupCommitDelayMs: 200,
  });
  return { pipeline, readings };
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
