import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Channel } from "@intelledger/proto/device";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadNab } from "../../training/nab-data.js";
import { detectSeries } from "../../training/offline-detection.js";
import { onnxScorer } from "../../training/onnx-scorer.js";
import { startGateway } from "../gateway.js";
import type { SensorSignal } from "@intelledger/test-support";
import { SimulatedDevice } from "@intelledger/test-support";
import { DEFAULT_MODEL, listVersions, readModelFolder, SHIPPED_MODELS_DIR } from "./model-folder.js";
import { inferenceTestConfig } from "../../test/inference-testbed.js";

const logger = pino({ level: "silent" });
const WAIT = { timeout: 120_000, interval: 50 };
// Whole NAB series of integer values, so the devices' fixed point carries them exactly.
const SERIES = ["realTraffic/TravelTime_387.csv", "realTraffic/speed_t4013.csv"];

/** A sensor that reads the values of a recorded series, one per frame. */
function replay(values: ArrayLike<number>): SensorSignal {
  let next = 0;
  return { channel: Channel.CHANNEL_ANALOG, index: 0, scale: 0, read: () => values[next++] ?? 0 };
}

describe("a NAB series replayed through the gateway's ingest", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "replayed-series-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("is flagged on the same readings as the offline evaluation flags", async () => {
    const nab = loadNab();
    const series = SERIES.map((name) => {
      const found = nab.find((s) => s.name === name);
      if (!found) throw new Error(`${name} is not in the NAB folder`);
      return found;
    });
    const gateway = await startGateway(inferenceTestConfig(dataDir, { watchIntervalMs: 0 }), logger);
    // Two devices at once, so the channels' readings interleave in the store.
    const devices = await Promise.all(
      series.map(async (s, i) => {
        const device = new SimulatedDevice(`replay-${i}`, { sensors: [replay(s.values)] });
        gateway.devices.register(device.deviceId, device.publicKeyPoint);
        await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
        return device;
      }),
    );
    await Promise.all(
      devices.map(async (device, i) => {
        for (let f = 0; f < (series[i]?.values.length ?? 0); f++) await device.publishFrame();
      }),
    );
    const stored = gateway.readings.lastSeq();
    expect(stored).toBe(series.reduce((n, s) => n + s.values.length, 0));
    await vi.waitFor(() => expect(gateway.snapshot().inference?.scoredThroughSeq).toBe(stored), WAIT);
    const model = gateway.models?.current?.version;
    await Promise.all(devices.map((device) => device.stop()));
    await gateway.stop();

    const version = listVersions(SHIPPED_MODELS_DIR, DEFAULT_MODEL).at(-1) ?? 1;
    expect(model).toBe(`${DEFAULT_MODEL}@${version}`);
    const files = readModelFolder(SHIPPED_MODELS_DIR, DEFAULT_MODEL, version);
    const scorer = await onnxScorer(files.bytes, files.manifest.input.shape[1]);
    const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true });
    try {
      for (const [i, s] of series.entries()) {
        const offline = await detectSeries(s.values, files.manifest, scorer.score);
        const rows = db
          .prepare("SELECT value, anomaly_score, anomalous FROM readings WHERE device_id = ? ORDER BY gateway_seq")
          .all(`replay-${i}`) as { value: number; anomaly_score: number | null; anomalous: number }[];
        expect(rows.map((r) => r.value)).toEqual(Array.from(s.values));
        const flaggedOnline = rows.flatMap((r, n) => (r.anomalous === 1 ? [n] : []));
        const flaggedOffline = offline.flatMap((d, n) => (d.anomalous ? [n] : []));
        expect(flaggedOnline).toEqual(flaggedOffline);
        expect(flaggedOnline.length).toBeGreaterThan(0);
        expect(rows.map((r) => r.anomaly_score ?? undefined)).toEqual(offline.map((d) => d.score));
      }
    } finally {
      db.close();
      await scorer.release();
    }
  }, 300_000);
});
