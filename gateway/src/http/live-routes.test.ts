import { SimulatedDevice, until } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../gateway.js";
import { GatewayClient } from "../../test/gateway-client.js";
import { LiveClient } from "../../test/live-client.js";
import { startTestGateway, type TestGateway } from "../../test/test-gateway.js";

let running: TestGateway;
let gateway: Gateway;
let token: string;
const devices = [new SimulatedDevice("line-1"), new SimulatedDevice("line-2")];

beforeAll(async () => {
  running = await startTestGateway({ batching: { maxReadings: 8, maxAgeMs: 200 } });
  gateway = running.gateway;
  const client = new GatewayClient(gateway.httpPort);
  token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "live test");
  for (const device of devices) {
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
  }
});

afterAll(async () => {
  for (const device of devices) await device.stop();
  await running.stop();
});

describe("the live stream", () => {
  it("sends readings, narrowed to the devices and channels asked for, and sealed batches", async () => {
    const base = `http://127.0.0.1:${gateway.httpPort}/api/live`;
    const narrowed = new LiveClient();
    const everything = new LiveClient();
    await narrowed.open(`${base}?devices=line-1&channels=temperature&types=reading`, token);
    await everything.open(`${base}?maxReadingsPerSecond=1000`, token);
    for (const device of devices) for (let frame = 0; frame < 3; frame++) await device.publishFrame();
    await until(() => everything.of("reading").length === 18 && everything.of("batch").length > 0, "18 readings and a batch");
    await until(() => narrowed.of("reading").length === 3, "3 narrowed readings");
    expect(new Set(narrowed.events.map((event) => `${event.data.deviceId as string}/${event.data.channel as string}`))).toEqual(
      new Set(["line-1/temperature"]),
    );
    expect(everything.of("batch")[0]?.data).toMatchObject({ sequence: 1, readingCount: expect.any(Number) as number });
    expect(everything.of("reading")[0]?.data).toMatchObject({ deviceId: "line-1", transport: "mqtt" });
    await narrowed.close();
    await everything.close();
  });

  it("limits readings per client and says how many it dropped", async () => {
    const limited = new LiveClient();
    await limited.open(`http://127.0.0.1:${gateway.httpPort}/api/live?types=reading&maxReadingsPerSecond=4`, token);
    const startedAtMs = Date.now();
    for (let frame = 0; frame < 10; frame++) await devices[0]?.publishFrame();
    // Ten frames of three readings: each is either sent or counted as dropped, at most four a second.
    const dropped = () => limited.of("dropped").reduce((sum, event) => sum + (event.data.readings as number), 0);
    await until(() => limited.of("reading").length + dropped() === 30, "30 readings sent or dropped");
    const seconds = Math.ceil((Date.now() - startedAtMs) / 1000) + 1;
    expect(limited.of("reading").length).toBeGreaterThanOrEqual(4);
    expect(limited.of("reading").length).toBeLessThanOrEqual(4 * seconds);
    expect(dropped()).toBeGreaterThan(0);
    await limited.close();
  });

  it("refuses an unknown event type, naming it", async () => {
    const response = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/live?types=reading,gossip`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain("query.types.1");
  });
});
