import { cpSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { SimulatedDevice } from "@intelledger/test-support";
import { DEFAULT_MODEL, SHIPPED_MODELS_DIR } from "./model-folder.js";
import { inferenceTestbed } from "../../test/inference-testbed.js";

const WAIT = { timeout: 30_000, interval: 25 };

describe("a gateway without a usable model", () => {
  const { dataDir, modelsDir, start } = inferenceTestbed("model-outage", "empty");

  it("keeps ingesting and sealing (unscored, after the timeout), and scores again once a model arrives", async () => {
    const gateway = await start({ watchIntervalMs: 50, sealTimeoutMs: 1_000, idleMs: 5 }, { maxReadings: 16, maxAgeMs: 100 });
    expect(gateway.models?.current).toBeUndefined();
    const device = new SimulatedDevice("press-1");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
    for (let i = 0; i < 20; i++) await device.publishFrame();
    const beforeModel = gateway.readings.lastSeq();
    await vi.waitFor(() => expect(gateway.batches.last()?.lastGatewaySeq ?? 0).toBe(beforeModel), WAIT);

    cpSync(join(SHIPPED_MODELS_DIR, DEFAULT_MODEL, "1"), join(modelsDir, DEFAULT_MODEL, "1"), { recursive: true });
    await vi.waitFor(() => expect(gateway.models?.current).toBeDefined(), WAIT);
    for (let i = 0; i < 20; i++) await device.publishFrame();
    const afterModel = gateway.readings.lastSeq();
    await vi.waitFor(() => expect(gateway.batches.last()?.lastGatewaySeq ?? 0).toBe(afterModel), WAIT);
    const metrics = await gateway.metrics.metrics();
    await device.stop();
    await gateway.stop();

    const db = new Database(join(dataDir, "gateway.sqlite"), { readonly: true });
    const rows = db
      .prepare("SELECT gateway_seq, anomalous, model_version, unscored_reason FROM readings ORDER BY gateway_seq")
      .all() as {
      gateway_seq: number;
      anomalous: number;
      model_version: string | null;
      unscored_reason: string | null;
    }[];
    db.close();
    const early = rows.filter((r) => r.gateway_seq <= beforeModel);
    const late = rows.filter((r) => r.gateway_seq > afterModel - 60);
    expect(early.length).toBe(beforeModel);
    expect(early.every((r) => r.anomalous === 0 && r.model_version === null && r.unscored_reason === "scoring-timeout")).toBe(
      true,
    );
    expect(late.every((r) => r.model_version === `${DEFAULT_MODEL}@1`)).toBe(true);
    expect(metrics).toContain(`intelledger_gateway_readings_sealed_unscored_total ${beforeModel}`);
  }, 60_000);
});
