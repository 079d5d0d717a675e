// Inference bench, all in one run: the shipped detector against the first model (the window
// forecaster, the baseline of per-reading cost) and an identity model of the forecaster's
// contract (ONNX Runtime's per-call cost): scored readings per second through ONNX Runtime
// in batches of 1, 64 and 256 with each call's latency (p50, p99); then the whole scorer
// (SQLite read, features, model, thresholds, SQLite write) on stored readings with each
// model, and the detector's cost per reading as a multiple of the forecaster's.
// Usage: npm run bench:inference -w gateway   (BENCH_SECONDS per measurement, default 2;
// BENCH_READINGS stored readings, default 200,000)
import { join } from "node:path";
import { Channel } from "@intelledger/proto/device";
import { pino } from "pino";
import { Registry } from "prom-client";
import { AnomalyFeed } from "../src/feeds/anomaly-feed.js";
import { AnomalyScorer } from "../src/inference/anomaly-scorer.js";
import { InferenceMetrics } from "../src/inference/inference-metrics.js";
import { DEFAULT_MODEL, listVersions, readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { ModelManager } from "../src/inference/model-manager.js";
import { ModelSession } from "../src/inference/model-session.js";
import { ScoringStore } from "../src/inference/scoring-store.js";
import { createFeatureStream } from "../src/inference/feature-streams.js";
import { openGatewayDatabase } from "../src/store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../src/store/reading-store.js";
import { loadNab } from "../training/nab-data.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const BATCHES = [1, 64, 256];
const logger = pino({ level: "silent" });

const FORECASTER = "window-forecaster";
const machine = loadNab().find((s) => s.name.includes("machine_temperature"));
if (!machine) throw new Error("the NAB folder lacks the machine temperature series");

/** The machine temperature's feature rows as a model computes them, back to back. */
function realRows(session: ModelSession): { rows: Float32Array; count: number; width: number } {
  const width = session.manifest.input.shape[1];
  const stream = createFeatureStream(session.manifest.features);
  const rows = new Float32Array((machine?.values.length ?? 0) * width);
  let count = 0;
  for (const value of machine?.values ?? []) {
    stream.push(value);
    if (stream.ready) stream.write(rows, count++ * width);
  }
  return { rows, count, width };
}

interface Measured {
  readingsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

async function measure(session: ModelSession, batch: number): Promise<Measured> {
  const { rows, count, width } = realRows(session);
  const latencies: number[] = [];
  let readings = 0;
  let offset = 0;
  for (let i = 0; i < 20; i++) await session.score(rows.subarray(0, batch * width), batch);
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    if (offset + batch > count) offset = 0;
    const features = rows.subarray(offset * width, (offset + batch) * width);
    const t0 = performance.now();
    await session.score(features, batch);
    latencies.push(performance.now() - t0);
    readings += batch;
    offset += batch;
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    readingsPerSecond: readings / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
  };
}

const latest = (modelsDir: string, name: string) =>
  ModelSession.open(readModelFolder(modelsDir, name, listVersions(modelsDir, name).at(-1) ?? 1));
const detector = await latest(SHIPPED_MODELS_DIR, DEFAULT_MODEL);
const forecaster = await latest(SHIPPED_MODELS_DIR, FORECASTER);
const identity = await latest(join(import.meta.dirname, "models"), "identity");
console.log(
  `${detector.version} and ${forecaster.version} vs the identity model, one intra-op thread, ${SECONDS} s per measurement\n`,
);
console.log("model calls        batch   readings/s   p50 ms   p99 ms   identity/model time per call");
for (const batch of BATCHES) {
  const id = await measure(identity, batch);
  for (const session of [forecaster, detector]) {
    const m = await measure(session, batch);
    console.log(
      [
        session.version.padEnd(24),
        String(batch).padStart(5),
        Math.round(m.readingsPerSecond).toLocaleString("en").padStart(12),
        m.p50Ms.toFixed(3).padStart(8),
        m.p99Ms.toFixed(3).padStart(8),
        `${((id.meanMs / m.meanMs) * 100).toFixed(0)}%`.padStart(30),
      ].join(" "),
    );
  }
}
await Promise.all([detector.release(), forecaster.release(), identity.release()]);

// The whole scorer on stored readings: 50 devices × 4 channels, as the reference fleet sends.
const READINGS = Number(process.env.BENCH_READINGS ?? 200_000);
const db = openGatewayDatabase(":memory:");
const store = new ReadingStore(db);
const frames: FrameToStore[] = [];
const channels = [Channel.CHANNEL_TEMPERATURE, Channel.CHANNEL_HUMIDITY, Channel.CHANNEL_VIBRATION, Channel.CHANNEL_ANALOG];
for (let i = 0; i < READINGS / 4; i++) {
  const value = Math.round((machine.values[i % machine.values.length] ?? 0) * 100);
  frames.push({
    deviceId: `bench-${i % 50}`,
    counter: Math.floor(i / 50) + 1,
    clock: { nowMs: Date.now(), uncertain: false, boot: 1, uptimeMs: i },
    transport: "mqtt",
    status: undefined,
    samples: channels.map((channel) => ({ channel, index: 0, timestampMs: Date.now(), value, scale: 2, dataClass: 0 })),
  });
}
store.commitFrames(frames);
async function scorerReadingsPerSecond(name: string, batch: number): Promise<number> {
  db.prepare("UPDATE readings SET anomalous = NULL, anomaly_score = NULL, model_version = NULL, unscored_reason = NULL").run();
  const models = new ModelManager({ modelsDir: SHIPPED_MODELS_DIR, name, logger });
  await models.start();
  const scorer = new AnomalyScorer({
    store: new ScoringStore(db),
    models,
    thresholds: {},
    feed: new AnomalyFeed(logger),
    metrics: new InferenceMetrics(new Registry()),
    logger,
    batchSize: batch,
    idleMs: 10,
    historyReadings: 0,
  });
  const started = performance.now();
  let scored = 0;
  for (let n = await scorer.scoreNext(); n > 0; n = await scorer.scoreNext()) scored += n;
  const elapsed = (performance.now() - started) / 1000;
  await models.stop();
  return scored / elapsed;
}

console.log(`\nscorer on ${READINGS.toLocaleString("en")} stored readings (read, features, model, thresholds, written back)`);
console.log("batch   forecaster readings/s   detector readings/s   detector cost per reading / forecaster's");
for (const batch of [64, 256]) {
  // Alternated, so both see the same machine load.
  const forecasterRate = await scorerReadingsPerSecond(FORECASTER, batch);
  const detectorRate = await scorerReadingsPerSecond(DEFAULT_MODEL, batch);
  console.log(
    [
      String(batch).padStart(5),
      Math.round(forecasterRate).toLocaleString("en").padStart(23),
      Math.round(detectorRate).toLocaleString("en").padStart(21),
      `${(forecasterRate / detectorRate).toFixed(2)}x (${((detectorRate / 200) | 0).toLocaleString("en")}x the reference gateway's 200 readings/s)`.padStart(
        42,
      ),
    ].join(" "),
  );
}
db.close();
