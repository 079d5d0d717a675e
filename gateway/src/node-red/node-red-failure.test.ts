import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../test/gateway-client.js";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { SimulatedDevice } from "@intelledger/test-support";

let dataDir: string;
let gateway: Gateway;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gateway-node-red-failure-"));
  // A file where Node-RED's folder belongs: Node-RED cannot start.
  writeFileSync(join(dataDir, "node-red"), "");
  gateway = await startGateway(
    parseGatewayConfig({ dataDir, mqtt: { port: 0 }, http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: true } } }),
    pino({ level: "silent" }),
  );
});

afterAll(async () => {
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a gateway whose Node-RED fails to start", () => {
  it("still ingests, and says at /flows that the editor failed", async () => {
    expect(gateway.nodeRedRunning).toBe(false);
    const device = new SimulatedDevice("press-01");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
    await device.publishFrame();
    await device.stop();
    expect(gateway.readings.count()).toBe(3);

    const client = new GatewayClient(gateway.httpPort);
    expect((await client.request("/flows/flows")).status).toBe(401);
    const cookie = await client.pair(gateway.pairingCode ?? "", "tech");
    const editor = await client.request("/flows/flows", { cookie });
    expect(editor.status).toBe(503);
    expect(await editor.json()).toEqual({ error: "Node-RED failed to start; the gateway's log says why" });
  });
});
