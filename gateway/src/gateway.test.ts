import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "./config.js";
import { startGateway, type Gateway } from "./gateway.js";
import { CommandResult } from "@intelledger/proto/device";
import { commandTopic } from "@intelledger/proto/mqtt";
import { SimulatedDevice, takePort, until } from "@intelledger/test-support";

const logger = pino({ level: "silent" });
let dataDir: string;
let gateway: Gateway;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gateway-test-"));
  gateway = await startGateway(
    parseGatewayConfig({ dataDir, mqtt: { port: 0 }, batching: { maxReadings: 8, maxAgeMs: 200 } }),
    logger,
  );
});

afterEach(async () => {
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function connectedDevice(id: string): Promise<SimulatedDevice> {
  const device = new SimulatedDevice(id);
  gateway.devices.register(id, device.publicKeyPoint);
  await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(id));
  return device;
}

describe("gateway ingest over MQTT", () => {
  it("stores every sample of an acknowledged frame and seals them into chained batches", async () => {
    const device = await connectedDevice("press-01");
    for (let i = 0; i < 5; i++) await device.publishFrame();
    // Acknowledged means durable: the rows are there the moment the PUBACK arrives.
    expect(gateway.readings.count()).toBe(15);
    const stored = gateway.readings.between(1, 15);
    expect(stored.map((reading) => reading.gatewaySeq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(new Set(stored.map((reading) => reading.frameCounter))).toEqual(new Set([1n, 2n, 3n, 4n, 5n]));

    await until(() => (gateway.batches.last()?.lastGatewaySeq ?? 0) === 15, "a batch through gateway seq 15");
    const first = gateway.batches.get(1);
    const second = gateway.batches.get(2);
    expect(first?.firstGatewaySeq).toBe(1);
    expect(first?.lastGatewaySeq).toBe(8);
    expect(Buffer.from(second?.previousBatchHash ?? []).equals(Buffer.from(first?.batchHash ?? []))).toBe(true);
    await device.stop();
  });

  it("rejects forged, replayed and mislabelled frames and unknown devices, and keeps serving other devices", async () => {
    const honest = await connectedDevice("honest-1");
    const victim = await connectedDevice("victim-1");
    const stranger = new SimulatedDevice("stranger-1");
    await expect(stranger.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`)).rejects.toThrow(/Not authorized/i);

    const genuine = victim.nextFrameBytes();
    await victim.publishFrame(genuine);
    await victim.publishFrame(genuine); // replay
    const forged = Uint8Array.from(victim.nextFrameBytes());
    forged[forged.length - 1] = (forged.at(-1) ?? 0) ^ 0xff; // last signature byte
    await victim.publishFrame(forged);
    await honest.publishFrame(victim.nextFrameBytes()); // victim's frame on honest's topic
    await honest.publishFrame();

    const { rejected, framesAccepted } = gateway.snapshot().ingest;
    expect(rejected).toMatchObject({ replayed: 1, bad_signature: 1, device_mismatch: 1 });
    expect(gateway.snapshot().mqttRefusals?.anonymous).toBe(1);
    expect(framesAccepted).toBe(2);
    expect(gateway.readings.count()).toBe(6);
    await Promise.all([honest.stop(), victim.stop()]);
  });

  it("sends a signed command a device checks and acknowledges", async () => {
    const device = await connectedDevice("valve-1");
    await device.acceptCommands(gateway.commandPublicKey);
    await device.publishFrame(); // the gateway learns which transport reaches the device
    const outcome = await gateway.sendCommand("valve-1", { $case: "setSamplingInterval", value: { intervalMs: 500 } });
    expect(outcome).toEqual({ commandId: 1, result: CommandResult.COMMAND_RESULT_APPLIED });
    const second = await gateway.sendCommand("valve-1", { $case: "reboot", value: {} });
    expect(second.commandId).toBe(2);
    expect(device.commands.map((command) => command.command?.action?.$case)).toEqual(["setSamplingInterval", "reboot"]);
    await device.stop();
  });

  it("refuses to send to a device it has not heard from, and devices cannot publish commands", async () => {
    gateway.devices.register("silent-1", new SimulatedDevice("silent-1").publicKeyPoint);
    await expect(gateway.sendCommand("silent-1", { $case: "reboot", value: {} })).rejects.toThrow(/cannot be reached/);
    const rogue = await connectedDevice("rogue-1");
    const victim = await connectedDevice("victim-2");
    await victim.acceptCommands(gateway.commandPublicKey);
    const disconnected = rogue.offline();
    rogue.publishRaw(commandTopic("victim-2"), Uint8Array.of(1, 2, 3));
    await disconnected;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(victim.commands).toEqual([]);
    await Promise.all([rogue.stop(), victim.stop()]);
  });

  it("remembers counters across a restart, so an old frame replayed later is refused", async () => {
    const device = await connectedDevice("restart-1");
    const old = device.nextFrameBytes();
    await device.publishFrame(old);
    await device.stop();
    await gateway.stop();

    gateway = await startGateway(parseGatewayConfig({ dataDir, mqtt: { port: 0 } }), logger);
    await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
    await device.publishFrame(old);
    expect(gateway.snapshot().ingest.rejected.replayed).toBe(1);
    await device.publishFrame();
    expect(gateway.readings.count()).toBe(6);
    await device.stop();
  });
});

describe("a start that fails halfway", () => {
  it("stops what it had started: the broker's port and the database are free again", async () => {
    const mqttPort = gateway.mqttPort;
    const taken = await takePort();
    const failedDir = mkdtempSync(join(tmpdir(), "gateway-failed-start-"));
    await gateway.stop();
    try {
      // The HTTP server starts after the broker; its port is taken, so the start fails there.
      const config = (httpPort: number) =>
        parseGatewayConfig({
          dataDir: failedDir,
          mqtt: { port: mqttPort },
          http: { host: "127.0.0.1", port: httpPort, fallbackToFreePort: false },
        });
      await expect(startGateway(config(taken.port), logger)).rejects.toThrow(/EADDRINUSE/);
      // A second start on the same broker port and data folder works only if the first let go of both.
      gateway = await startGateway(config(0), logger);
      expect(gateway.mqttPort).toBe(mqttPort);
    } finally {
      await taken.release();
    }
  });
});
