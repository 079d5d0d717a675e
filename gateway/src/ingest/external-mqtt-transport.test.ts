import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { CommandResult } from "@intelledger/proto/device";
import { commandTopic, frameTopic } from "@intelledger/proto/mqtt";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig, type GatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { mqttPacketLimit } from "./mqtt-packet-guard.js";
import { freePort, PrivateMosquitto, SimulatedDevice, until } from "@intelledger/test-support";

/** The ACL file docs/mqtt-brokers.md tells operators to use. */
const DOCUMENTED_ACL = join(import.meta.dirname, "../../../docs/mosquitto/intelledger.acl");
const GATEWAY_USER = "intelledger-gateway";
let dir: string;
let broker: PrivateMosquitto;
let config: GatewayConfig;
let gateway: Gateway | undefined;
const devices: SimulatedDevice[] = [];
const clients: MqttClient[] = [];

async function startBroker(extraConfig: string[]): Promise<void> {
  broker = await PrivateMosquitto.start({
    dir,
    port: await freePort(),
    users: { [GATEWAY_USER]: "gateway-secret" },
    config: [`acl_file ${DOCUMENTED_ACL}`, ...extraConfig],
  });
  config = parseGatewayConfig({
    dataDir: join(dir, "data"),
    mqtt: {
      broker: { url: broker.url, username: GATEWAY_USER, passwordFile: join(dir, "broker-password"), retryAfterRefusalMs: 200 },
    },
  });
  gateway = await startGateway(config, pino({ level: "silent" }));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "external-mqtt-"));
  writeFileSync(join(dir, "broker-password"), "gateway-secret\n", { mode: 0o600 });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(devices.splice(0).map((device) => device.stop()));
  await gateway?.stop();
  gateway = undefined;
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Provisions a device as an operator does with Mosquitto: the gateway registers it and
 * issues its login, which goes into Mosquitto's password file.
 */
async function provisioned(live: Gateway, id: string) {
  const device = new SimulatedDevice(id);
  live.devices.register(id, device.publicKeyPoint);
  const login = live.devices.issueMqttCredentials(id);
  await broker.addUser(login.username, login.password);
  return { device, login };
}

async function connected(live: Gateway, id: string): Promise<SimulatedDevice> {
  const { device, login } = await provisioned(live, id);
  await device.connect(broker.url, login);
  devices.push(device);
  return device;
}

async function mqtt5Client(login: { username: string; password: string }): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    clientId: login.username,
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...login,
  });
  clients.push(client);
  return client;
}

describe("an external broker (Debian's Mosquitto) with the documented password file and ACL", () => {
  beforeEach(() => startBroker(["max_packet_size 1024"]));

  it("carries frames from devices and commands back", async () => {
    const live = gateway as Gateway;
    expect(live.mqttPort).toBeUndefined();
    const device = await connected(live, "ext-1");
    await device.acceptCommands(live.commandPublicKey);
    for (let i = 0; i < 5; i++) await device.publishFrame();
    await until(() => live.snapshot().ingest.framesAccepted === 5, "five frames");
    expect(live.readings.count()).toBe(15);
    const outcome = await live.sendCommand(device.deviceId, { $case: "setThresholds", value: { thresholds: [] } });
    expect(outcome.result).toBe(CommandResult.COMMAND_RESULT_APPLIED);
  });

  it("keeps frames published while the gateway is down, and stores them when it is back", async () => {
    const { device, login } = await provisioned(gateway as Gateway, "ext-2");
    await gateway?.stop();
    gateway = undefined;
    await device.connect(broker.url, login);
    devices.push(device);
    for (let i = 0; i < 20; i++) await device.publishFrame(); // acknowledged by the broker, queued for the gateway's session
    gateway = await startGateway(config, pino({ level: "silent" }));
    const live = gateway;
    await until(() => live.snapshot().ingest.framesAccepted === 20, "the queued frames");
    expect(live.readings.count()).toBe(60);
  });

  it("refuses a gateway with the wrong password", async () => {
    writeFileSync(join(dir, "wrong-password"), "nope\n");
    const wrong = parseGatewayConfig({
      dataDir: join(dir, "other"),
      mqtt: { broker: { url: broker.url, username: GATEWAY_USER, passwordFile: join(dir, "wrong-password") } },
    });
    await expect(startGateway(wrong, pino({ level: "silent" }))).rejects.toThrow(/Not authorized|Bad username or password/i);
  });

  it("binds topics to logins: no anonymous client, no publishing under another id, no reading others' topics or $SYS", async () => {
    const live = gateway as Gateway;
    const victim = await connected(live, "victim-1");
    await victim.acceptCommands(live.commandPublicKey);
    const { device: attackerDevice, login: attacker } = await provisioned(live, "attacker-1");
    await expect(mqtt.connectAsync(broker.url, { clientId: "anon", reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);

    const snoop = await mqtt5Client(attacker);
    const seen: string[] = [];
    snoop.on("message", (topic) => seen.push(topic));
    await snoop.subscribeAsync(["#", "$SYS/#", frameTopic("victim-1"), commandTopic("victim-1")], { qos: 1 }).catch(() => []);
    // MQTT 5 lets the broker say no: PUBACK with reason code 135 (not authorised).
    for (let i = 0; i < 20; i++) {
      const forged = Uint8Array.from(victim.nextFrameBytes());
      forged[forged.length - 1] = (forged.at(-1) ?? 0) ^ 0xff;
      await expect(snoop.publishAsync(frameTopic("victim-1"), Buffer.from(forged), { qos: 1 })).rejects.toMatchObject({
        code: 135,
      });
    }
    // Wrong topics: typo, v2, extra level, empty id.
    const frame = Buffer.from(attackerDevice.nextFrameBytes());
    for (const topic of [
      "intelledger/v1/attacker-1/frame",
      "intelledger/v2/attacker-1/frames",
      "intelledger/v1/attacker-1/frames/extra",
      "intelledger/v1//frames",
    ]) {
      await expect(snoop.publishAsync(topic, frame, { qos: 1 }), topic).rejects.toMatchObject({ code: 135 });
    }
    for (let i = 0; i < 5; i++) await victim.publishFrame();
    // The gateway learns a device's route from its frames: a command waits until it has heard from the device.
    await until(() => live.snapshot().ingest.framesAccepted >= 5, "the victim's frames");
    await live.sendCommand("victim-1", { $case: "reboot", value: {} });
    expect(live.snapshot().ingest.rejected.bad_signature).toBe(0);
    expect(live.snapshot().quarantinedDevices).toEqual([]);
    expect(seen).toEqual([]);
  });

  it("closes the connection of a device publishing beyond the broker's max_packet_size", async () => {
    const { login } = await provisioned(gateway as Gateway, "big-1");
    const client = await mqtt5Client(login);
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish(frameTopic("big-1"), Buffer.alloc(1024 * 1024), { qos: 1 });
    await closed;
  });
});

describe("the gateway's own packet limit on an external broker", () => {
  beforeEach(() => startBroker([]));

  it("is told to the broker (MQTT 5 Maximum Packet Size), which drops larger publishes instead of sending them", async () => {
    const live = gateway as Gateway;
    const device = await connected(live, "big-2");
    const limit = mqttPacketLimit(config.ingest.maxFrameBytes);
    // The broker has no limit of its own here: it takes the publish from the device...
    await device.publishFrame(new Uint8Array(100 * limit));
    // ...and never hands it to the gateway, which goes on with the next frame.
    await device.publishFrame();
    await until(() => live.snapshot().ingest.framesAccepted === 1, "the next frame");
    expect(live.snapshot().ingest.rejected.oversized).toBe(0);
  });
});
