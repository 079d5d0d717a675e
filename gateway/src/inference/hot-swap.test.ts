import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { SimulatedDevice } from "@intelledger/test-support";
import { DEFAULT_MODEL, readModelFolder } from "./model-folder.js";
import { readOnnxWeights } from "./onnx-weights.js";
import { SPIKE_LEVEL_WIDTH, SpikeLevelFeatures } from "./spike-level-features.js";
import { addVersion, inferenceTestbed } from "../../test/inference-testbed.js";
import { weightedMaxFromOnnx, weightedMaxScore } from "./weighted-max-model.js";
import { physicalValue, StreamWindow, WINDOW } from "./window-features.js";

const WAIT = { timeout: 60_000, interval: 25 };
const DEVICES = 4;
// Enough that the shipped detector (288 values before its first score) scores before the swap.
const FRAMES_PER_DEVICE = 800;

interface Row {
  gateway_seq: number;
  device_id: string;
  channel: number;
  channel_index: number;
  value: number;
  scale: number;
  anomaly_score: number | null;
  anomalous: number | null;
  model_version: string | null;
  unscored_reason: string | null;
}

describe("hot swap under continuous ingest", () => {
  const { dataDir, modelsDir, start } = inferenceTestbed("hot-swap", "shipped");

  it("loses no reading and scores every reading once, with one recorded model version", async () => {
    const gateway = await start({ watchIntervalMs: 50, batchSize: 32, idleMs: 5 }, { maxReadings: 64, maxAgeMs: 100 });
    const published = new Map<number, number>();
    const unsubscribe = gateway.anomalies.subscribe((scored) => {
      published.set(scored.reading.gatewaySeq, (published.get(scored.reading.gatewaySeq) ?? 0) + 1);
    });
    const devices = await Promise.all(
      Array.from({ length: DEVICES }, async (_, i) => {
        const device = new SimulatedDevice(`press-${i}`);
        gateway.devices.register(device.deviceId, device.publicKeyPoint);
        await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
        return device;
      }),
    );

    // Every device sends without pause; the new version lands in the models folder midway.
    let swapped = false;
    await Promise.all(
      devices.map(async (device, d) => {
        for (let f = 0; f < FRAMES_PER_DEVICE; f++) {
          if (d === 0 && f === Math.floor(FRAMES_PER_DEVICE * 0.6) && !swapped) {
            swapped = true;
            addVersion(modelsDir, 2);
          }
          await device.publishFrame();
        }
      }),
    );
    await vi.waitFor(() => expect(gateway.models?.current?.version).toBe(`${DEFAULT_MODEL}@2`), WAIT);
    const stored = gateway.readings.lastSeq();
    await vi.waitFor(() => expect(gateway.batches.last()?.lastGatewaySeq ?? 0).toBe(stored), WAIT);
    unsubscribe();
    const metrics = await gateway.metrics.metrics();
    await Promise.all(devices.map((device) => device.stop()));
    await gateway.stop();

    const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true });
    const rows = db.prepare("SELECT * FROM readings ORDER BY gateway_seq").all() as Row[];
    const samplesPerFrame = rows.length / (DEVICES * FRAMES_PER_DEVICE);
    // No reading lost: every sample of every acknowledged frame is stored, and sealed.
    expect(devices.reduce((n, d) => n + d.framesAcked, 0)).toBe(DEVICES * FRAMES_PER_DEVICE);
    expect(Number.isInteger(samplesPerFrame) && samplesPerFrame >= 1).toBe(true);
    expect(rows.map((r) => r.gateway_seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    const sealed = db.prepare("SELECT coalesce(sum(reading_count), 0) AS n FROM batches").get() as { n: number };
    expect(sealed.n).toBe(rows.length);

    // Each reading decided once by exactly one model version: the first version, then the second.
    expect(rows.every((r) => r.anomalous !== null && r.model_version !== null && r.unscored_reason !== "scoring-timeout")).toBe(
      true,
    );
    const versions = rows.map((r) => r.model_version);
    const firstV2 = versions.indexOf(`${DEFAULT_MODEL}@2`);
    expect(firstV2).toBeGreaterThan(0);
    expect(versions.slice(0, firstV2).every((v) => v === `${DEFAULT_MODEL}@1`)).toBe(true);
    expect(versions.slice(firstV2).every((v) => v === `${DEFAULT_MODEL}@2`)).toBe(true);
    const scoredRows = rows.filter((r) => r.anomaly_score !== null);
    expect(scoredRows.some((r) => r.model_version?.endsWith("@1"))).toBe(true);
    expect(scoredRows.some((r) => r.model_version?.endsWith("@2"))).toBe(true);
    expect(scoredRows.every((r) => published.get(r.gateway_seq) === 1)).toBe(true);
    expect(published.size).toBe(scoredRows.length);

    // And the score is the one that version gives: the shipped detector's, or the identity's (last feature).
    const v1 = readModelFolder(modelsDir, DEFAULT_MODEL, 1).manifest;
    if (v1.features.kind !== "spike-level") throw new Error("version 1 is the shipped spike-level detector");
    const weights = weightedMaxFromOnnx(readOnnxWeights(readModelFolder(modelsDir, DEFAULT_MODEL, 1).bytes));
    const channels = new Map<string, { spikeLevel: SpikeLevelFeatures; window: StreamWindow }>();
    const row1 = new Float32Array(SPIKE_LEVEL_WIDTH);
    const row2 = new Float32Array(WINDOW);
    let checked = 0;
    for (const row of rows) {
      const key = `${row.device_id}/${row.channel}/${row.channel_index}`;
      const channel = channels.get(key) ?? { spikeLevel: new SpikeLevelFeatures(v1.features), window: new StreamWindow() };
      channels.set(key, channel);
      const value = physicalValue(row.value, row.scale);
      channel.spikeLevel.push(value);
      channel.window.push(value);
      const features = row.model_version?.endsWith("@1") ? channel.spikeLevel : channel.window;
      if (!features.ready) {
        expect(row.unscored_reason).toBe("warming-up");
        continue;
      }
      features.write(features === channel.spikeLevel ? row1 : row2, 0);
      const expected = features === channel.spikeLevel ? weightedMaxScore(weights, row1) : (row2[WINDOW - 1] ?? NaN);
      expect(row.anomaly_score).toBe(expected);
      checked++;
    }
    expect(checked).toBe(scoredRows.length);
    expect(metrics).toContain("intelledger_gateway_inference_model_swaps_total 1");
    expect(metrics).toContain(`intelledger_gateway_inference_model_info{model="${DEFAULT_MODEL}",version="2"} 1`);
    expect(metrics).toContain(`intelledger_gateway_readings_scored_total{model="${DEFAULT_MODEL}@2"}`);
    db.close();
  }, 120_000);
});
