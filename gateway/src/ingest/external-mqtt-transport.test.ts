import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandResult } from "@intelledger/proto/device";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig, type GatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { freePort } from "@intelledger/test-support";
import { PrivateMosquitto } from "@intelledger/test-support";
import { SimulatedDevice } from "@intelledger/test-support";

const DEVICE_LOGIN = { username: "device", password: "device-secret" };
let dir: string;
let broker: PrivateMosquitto;
let config: GatewayConfig;
let gateway: Gateway | undefined;

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "external-mqtt-"));
  broker = await PrivateMosquitto.start({
    dir,
    port: await freePort(),
    users: { gateway: "gateway-secret", ...{ [DEVICE_LOGIN.username]: DEVICE_LOGIN.password } },
  });
  writeFileSync(join(dir, "broker-password"), "gateway-secret\n", { mode: 0o600 });
  config = parseGatewayConfig({
    dataDir: join(dir, "data"),
    mqtt: {
      broker: { url: broker.url, username: "gateway", passwordFile: join(dir, "broker-password"), retryAfterRefusalMs: 200 },
    },
  });
  gateway = await startGateway(config, pino({ level: "silent" }));
});

afterEach(async () => {
  await gateway?.stop();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("an external broker (Debian's Mosquitto) with credentials", () => {
  it("carries frames from devices and commands back", async () => {
    const live = gateway as Gateway;
    expect(live.mqttPort).toBeUndefined();
    const device = new SimulatedDevice("ext-1");
    live.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(broker.url, DEVICE_LOGIN);
    await device.acceptCommands(live.commandPublicKey);
    for (let i = 0; i < 5; i++) await device.publishFrame();
    await until(() => live.snapshot().ingest.framesAccepted === 5, "five frames");
    expect(live.readings.count()).toBe(15);
    const outcome = await live.sendCommand(device.deviceId, { $case: "setThresholds", value: { thresholds: [] } });
    expect(outcome.result).toBe(CommandResult.COMMAND_RESULT_APPLIED);
    await device.stop();
  });

  it("keeps frames published while the gateway is down, and stores them when it is back", async () => {
    const device = new SimulatedDevice("ext-2");
    (gateway as Gateway).devices.register(device.deviceId, device.publicKeyPoint);
    await gateway?.stop();
    gateway = undefined;
    await device.connect(broker.url, DEVICE_LOGIN);
    for (let i = 0; i < 20; i++) await device.publishFrame(); // acknowledged by the broker, queued for the gateway's session
    gateway = await startGateway(config, pino({ level: "silent" }));
    const live = gateway;
    await until(() => live.snapshot().ingest.framesAccepted === 20, "the queued frames");
    expect(live.readings.count()).toBe(60);
    await device.stop();
  });

  it("refuses a gateway with the wrong password", async () => {
    writeFileSync(join(dir, "wrong-password"), "nope\n");
    const wrong = parseGatewayConfig({
      dataDir: join(dir, "other"),
      mqtt: { broker: { url: broker.url, username: "gateway", passwordFile: join(dir, "wrong-password") } },
    });
    await expect(startGateway(wrong, pino({ level: "silent" }))).rejects.toThrow(/Not authorized|Bad username or password/i);
  });
});
