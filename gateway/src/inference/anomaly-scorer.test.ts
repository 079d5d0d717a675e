import { Channel } from "@intelledger/proto/device";
import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { loadNab } from "../../training/nab-data.js";
import { AnomalyFeed, type ScoredReading } from "../feeds/anomaly-feed.js";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../store/reading-store.js";
import { AnomalyScorer } from "./anomaly-scorer.js";
import { InferenceMetrics } from "./inference-metrics.js";
import { DEFAULT_MODEL, readModelFolder, SHIPPED_MODELS_DIR } from "./model-folder.js";
import { ModelManager } from "./model-manager.js";
import { readOnnxWeights } from "./onnx-weights.js";
import { ScoringStore } from "./scoring-store.js";
import { ChannelDetectors } from "./channel-detectors.js";
import { SPIKE_LEVEL_WIDTH } from "./spike-level-features.js";
import { weightedMaxFromOnnx, weightedMaxScore } from "./weighted-max-model.js";

const logger = pino({ level: "silent" });
const START_MS = 1_763_000_000_000;
// Machine temperatures up to and into its first failure after probation, in milli-degrees (scale 3), as a device would send them.
const machine = loadNab().find((s) => s.name.includes("machine_temperature"));
const TEMPERATURES = Array.from(machine?.values.subarray(0, 4_300) ?? [], (v) => Math.round(v * 1000));

function frames(deviceId: string, values: readonly number[], firstCounter = 1): FrameToStore[] {
  return values.map((value, i) => ({
    deviceId,
    counter: firstCounter + i,
    clock: { nowMs: START_MS + i, uncertain: false, boot: 1, uptimeMs: i },
    transport: "mqtt",
    status: undefined,
    samples: [{ channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: START_MS + i, value, scale: 3, dataClass: 0 }],
  }));
}

async function scorerOn(db: SqliteDatabase, options: { batchSize?: number; registry?: Registry; feed?: AnomalyFeed } = {}) {
  const models = new ModelManager({ modelsDir: SHIPPED_MODELS_DIR, name: DEFAULT_MODEL, logger });
  await models.start();
  const metrics = new InferenceMetrics(options.registry ?? new Registry());
  const scorer = new AnomalyScorer({
    store: new ScoringStore(db),
    models,
    thresholds: {},
    feed: options.feed ?? new AnomalyFeed(logger),
    metrics,
    logger,
    batchSize: options.batchSize ?? 64,
    idleMs: 10,
    historyReadings: 10_000,
  });
  return { scorer, models };
}

async function drain(scorer: AnomalyScorer): Promise<void> {
  while ((await scorer.scoreNext()) > 0);
}

type Row = {
  gateway_seq: number;
  anomaly_score: number | null;
  anomalous: number | null;
  model_version: string | null;
  unscored_reason: string | null;
};
const rows = (db: SqliteDatabase) =>
  db
    .prepare("SELECT gateway_seq, anomaly_score, anomalous, model_version, unscored_reason FROM readings ORDER BY gateway_seq")
    .all() as Row[];

describe("AnomalyScorer", () => {
  it("stores each reading's score, flag and model version, as the reference model scores its channel", async () => {
    const db = openGatewayDatabase(":memory:");
    const readings = new ReadingStore(db);
    // Two devices interleaved: each channel keeps its own window.
    readings.commitFrames(
      frames("esp32-01", TEMPERATURES).flatMap((f, i) => [f, ...frames("esp32-02", [20_000 + (i % 7)], i + 1)]),
    );
    const registry = new Registry();
    const feed = new AnomalyFeed(logger);
    const published: ScoredReading[] = [];
    feed.subscribe((s) => published.push(s));
    const { scorer, models } = await scorerOn(db, { registry, feed });
    await drain(scorer);

    // What the channel's detector decides with the network computed in TypeScript.
    const files = readModelFolder(SHIPPED_MODELS_DIR, DEFAULT_MODEL, 1);
    const weights = weightedMaxFromOnnx(readOnnxWeights(files.bytes));
    const expected = await new ChannelDetectors(files.manifest).decide(
      TEMPERATURES.map((v) => ({ channel: "machine", value: v / 1000 })),
      (features, count) =>
        Promise.resolve(
          Array.from({ length: count }, (_, n) =>
            weightedMaxScore(weights, features.subarray(n * SPIKE_LEVEL_WIDTH, (n + 1) * SPIKE_LEVEL_WIDTH)),
          ),
        ),
    );
    const device1 = rows(db).filter((_, i) => i % 2 === 0);
    expect(device1).toHaveLength(TEMPERATURES.length);
    const warming = expected.filter((d) => d.score === undefined).length;
    device1.forEach((row, i) => {
      expect(row.model_version).toBe(`${DEFAULT_MODEL}@1`);
      const decision = expected[i];
      if (decision?.score === undefined) {
        expect(row).toMatchObject({ anomaly_score: null, anomalous: 0, unscored_reason: "warming-up" });
      } else {
        expect(row.anomaly_score).toBe(decision.score);
        expect(row.anomalous).toBe(decision.anomalous ? 1 : 0);
      }
    });
    const flagged = device1.filter((row) => row.anomalous === 1).length;
    expect(flagged).toBeGreaterThan(0);
    expect(published).toHaveLength(2 * (TEMPERATURES.length - warming));
    expect(published.filter((s) => s.anomaly.flagged && s.reading.anomalous)).toHaveLength(flagged);
    const metrics = await registry.metrics();
    expect(metrics).toContain(`intelledger_gateway_readings_scored_total{model="${DEFAULT_MODEL}@1"} ${2 * TEMPERATURES.length}`);
    expect(metrics).toContain(`intelledger_gateway_anomalies_flagged_total{device="esp32-01",channel="temperature"} ${flagged}`);
    await models.stop();
  });

  it("rebuilds channel detectors after a restart, so scores and flags are what an uninterrupted scorer gives", async () => {
    const continuous = openGatewayDatabase(":memory:");
    new ReadingStore(continuous).commitFrames(frames("esp32-01", TEMPERATURES));
    const first = await scorerOn(continuous);
    await drain(first.scorer);

    const restarted = openGatewayDatabase(":memory:");
    const store = new ReadingStore(restarted);
    store.commitFrames(frames("esp32-01", TEMPERATURES.slice(0, 1_000)));
    const before = await scorerOn(restarted);
    await drain(before.scorer);
    store.commitFrames(frames("esp32-01", TEMPERATURES.slice(1_000), 1_001));
    const after = await scorerOn(restarted);
    await drain(after.scorer);

    expect(rows(restarted)).toEqual(rows(continuous));
    expect(rows(restarted).filter((r) => r.anomaly_score !== null).length).toBeGreaterThan(TEMPERATURES.length / 2);
    await Promise.all([first.models.stop(), before.models.stop(), after.models.stop()]);
  });

  it("leaves a reading alone that was sealed unscored while its batch was being scored", async () => {
    const db = openGatewayDatabase(":memory:");
    const readings = new ReadingStore(db);
    readings.commitFrames(frames("esp32-01", TEMPERATURES.slice(0, 200)));
    readings.settleUnscored(0, 180, 190, "scoring-timeout");
    const { scorer, models } = await scorerOn(db);
    await drain(scorer);
    const all = rows(db);
    expect(all.filter((r) => r.unscored_reason === "scoring-timeout").map((r) => r.gateway_seq)).toEqual(
      Array.from({ length: 11 }, (_, i) => 180 + i),
    );
    expect(all.filter((r) => r.unscored_reason === "scoring-timeout").every((r) => r.model_version === null)).toBe(true);
    expect(all.every((r) => r.anomalous !== null)).toBe(true);
    await models.stop();
  });
});
