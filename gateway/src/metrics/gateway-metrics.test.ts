import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { SimulatedDevice } from "@intelledger/test-support";
import { createGatewayMetrics } from "./gateway-metrics.js";

describe("gateway metrics", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gateway-metrics-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway(
      parseGatewayConfig({ dataDir, mqtt: { port: 0 }, batching: { maxAgeMs: 50 } }),
      pino({ level: "silent" }),
    );
  });
  afterAll(() => gateway.stop());

  it("expose ingest, rejections, backlog and storage in the Prometheus text format", async () => {
    const device = new SimulatedDevice("metrics-1");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
    await device.publishFrame();
    await device.publishFrame();
    const stale = device.nextFrameBytes();
    await device.publishFrame();
    await device.publishFrame(stale); // a replay
    await device.publishFrame(device.nextFrameBytes(Date.UTC(1970, 0, 2))); // a device clock never set
    await device.stop();
    await expect(new SimulatedDevice("intruder").connect(`mqtt://127.0.0.1:${gateway.mqttPort}`)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const text = await createGatewayMetrics(() => gateway.snapshot()).metrics();
    expect(text).toContain("intelledger_gateway_frames_accepted_total 4");
    expect(text).toContain("intelledger_gateway_readings_accepted_total 12");
    expect(text).toContain('intelledger_gateway_frames_rejected_total{reason="replayed"} 1');
    expect(text).toContain('intelledger_gateway_frames_rejected_total{reason="bad_signature"} 0');
    expect(text).toContain("intelledger_gateway_frames_device_clock_implausible_total 1");
    expect(text).toContain('intelledger_gateway_mqtt_refusals_total{reason="anonymous"} 1');
    expect(text).toContain('intelledger_gateway_mqtt_refusals_total{reason="wrong_topic"} 0');
    // No relay is configured: everything sealed waits in the backlog.
    expect(text).toMatch(/intelledger_gateway_backlog_readings 12\n/);
    expect(text).toMatch(/intelledger_gateway_storage_bytes_used [1-9]\d+/);
    expect(text).toContain("intelledger_gateway_uplink_connected 0");
  });

  it("give a backlog age of 0, not a negative one, while a wall clock stepped back is behind the oldest seal", async () => {
    const snapshot = gateway.snapshot();
    const aheadOfTheClock = { ...snapshot, backlog: { ...snapshot.backlog, oldestSealedAtMs: Date.now() + 60_000 } };
    const text = await createGatewayMetrics(() => aheadOfTheClock).metrics();
    expect(text).toMatch(/\nintelledger_gateway_backlog_age_seconds 0\n/);
  });
});
