// Inference bench: scored readings per second through ONNX Runtime in batches of 1, 64 and
// 256, each model call's latency (p50, p99), ONNX Runtime's per-call cost measured with an
// identity model of the same contract, and the whole scorer (SQLite read, windows, model,
// SQLite write) on stored readings, all in one run.
// Usage: npm run bench:inference -w gateway   (BENCH_SECONDS per measurement, default 2)
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
import { WINDOW } from "../src/inference/window-features.js";
import { openGatewayDatabase } from "../src/store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../src/store/reading-store.js";
import { loadNab } from "../training/nab-data.js";
import { seriesFeatures } from "../training/series-scores.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const BATCHES = [1, 64, 256];
const logger = pino({ level: "silent" });

const machine = loadNab().find((s) => s.name.includes("machine_temperature"));
if (!machine) throw new Error("the NAB sample lacks the machine temperature series");
const realWindows = seriesFeatures(machine.values);
const realCount = realWindows.length / WINDOW;

interface Measured {
  readingsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

async function measure(session: ModelSession, batch: number): Promise<Measured> {
  const latencies: number[] = [];
  let readings = 0;
  let offset = 0;
  for (let i = 0; i < 20; i++) await session.score(realWindows.subarray(0, batch * WINDOW), batch);
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    if (offset + batch > realCount) offset = 0;
    const features = realWindows.subarray(offset * WINDOW, (offset + batch) * WINDOW);
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

const model = await ModelSession.open(
  readModelFolder(SHIPPED_MODELS_DIR, DEFAULT_MODEL, listVersions(SHIPPED_MODELS_DIR, DEFAULT_MODEL).at(-1) ?? 1),
);
const identity = await ModelSession.open(readModelFolder(join(import.meta.dirname, "models"), "identity", 1));
console.log(`model ${model.version} vs identity model, one intra-op thread, ${SECONDS} s per measurement\n`);
console.log("batch  model readings/s  p50 ms  p99 ms  identity readings/s  identity p99 ms  identity/model time per call");
for (const batch of BATCHES) {
  const m = await measure(model, batch);
  const id = await measure(identity, batch);
  console.log(
    [
      String(batch).padStart(5),
      Math.round(m.readingsPerSecond).toLocaleString("en").padStart(17),
      m.p50Ms.toFixed(3).padStart(7),
      m.p99Ms.toFixed(3).padStart(7),
      Math.round(id.readingsPerSecond).toLocaleString("en").padStart(20),
      id.p99Ms.toFixed(3).padStart(16),
      `${((id.meanMs / m.meanMs) * 100).toFixed(0)}%`.padStart(29),
    ].join(" "),
  );
}
await model.release();
await identity.release();

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
for (const batch of [64, 256]) {
  db.prepare("UPDATE readings SET anomalous = NULL, anomaly_score = NULL, model_version = NULL, unscored_reason = NULL").run();
  const models = new ModelManager({ modelsDir: SHIPPED_MODELS_DIR, name: DEFAULT_MODEL, logger });
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
  console.log(
    `\nscorer, batch ${batch}: ${READINGS.toLocaleString("en")} stored readings scored and written back at ${Math.round(scored / elapsed).toLocaleString("en")} readings/s (${((scored / elapsed / 200) | 0).toLocaleString("en")}x the reference gateway's 200 readings/s)`,
  );
  await models.stop();
}
db.close();
