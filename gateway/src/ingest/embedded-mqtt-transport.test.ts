import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { commandTopic, frameTopic, statusTopic } from "@intelledger/proto/mqtt";
import { SimulatedDevice } from "@intelledger/test-support";
import { parseGatewayConfig, type GatewayConfigInput } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";

let dataDir: string | undefined;
let gateway: Gateway | undefined;
const clients: MqttClient[] = [];
const devices: SimulatedDevice[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(devices.splice(0).map((device) => device.stop()));
  await gateway?.stop();
  gateway = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Log lines the gateway writes, with their total size. */
class LogCapture extends Writable {
  bytes = 0;
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) this.lines.push(JSON.parse(line) as never);
    callback();
  }
}

/** Starts a gateway with `config` in a folder of its own, its broker on a free port; `log` holds what it logs. */
async function start(config: Omit<GatewayConfigInput, "dataDir"> = {}): Promise<{ live: Gateway; log: LogCapture }> {
  dataDir = mkdtempSync(join(tmpdir(), "embedded-mqtt-"));
  const log = new LogCapture();
  gateway = await startGateway(
    parseGatewayConfig({ ...config, dataDir, mqtt: { port: 0, ...config.mqtt }, proving: { enabled: false } }),
    pino({ level: "info" }, log),
  );
  return { live: gateway, log };
}

const url = (live: Gateway) => `mqtt://127.0.0.1:${live.mqttPort}`;

/** A registered device (not connected) and the login issued to it. */
function registered(live: Gateway, id: string) {
  const device = new SimulatedDevice(id);
  live.devices.register(id, device.publicKeyPoint);
  return { device, login: { clientId: id, ...live.devices.issueMqttCredentials(id) } };
}

/** A registered device logged in with its issued token. */
async function loggedInDevice(live: Gateway, id: string): Promise<SimulatedDevice> {
  const { device, login } = registered(live, id);
  await device.connect(url(live), login);
  devices.push(device);
  return device;
}

/** `frame` with its signature's last byte flipped: a forgery of the device that signed it. */
function forged(frame: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(frame);
  bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
  return bytes;
}

/** A plain MQTT client that never reconnects, so each refusal is seen once. */
async function rawClient(live: Gateway, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url(live), { reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

/** Publishes at QoS 1: "acknowledged" on PUBACK, "disconnected" when the broker closes the connection instead. */
function publishOutcome(client: MqttClient, topic: string, payload: Uint8Array): Promise<"acknowledged" | "disconnected"> {
  return new Promise((resolve) => {
    const closed = () => resolve("disconnected");
    client.once("close", closed);
    client.publish(topic, Buffer.from(payload), { qos: 1 }, (error) => {
      if (error) return;
      client.off("close", closed);
      resolve("acknowledged");
    });
  });
}

describe("the embedded broker's logins", () => {
  it("refuses clients without a login, with a wrong token, or under another client id, and counts each", async () => {
    const { live } = await start();
    const device = new SimulatedDevice("press-1");
    live.devices.register(device.deviceId, device.publicKeyPoint);
    const { password } = live.devices.issueMqttCredentials("press-1");
    const refused = (options: IClientOptions) =>
      expect(rawClient(live, options)).rejects.toThrow(/Not authorized|Bad username|Identifier rejected/i);
    await refused({ clientId: "press-1" });
    await refused({ clientId: "press-1", username: "press-1", password: "ilm_guessed" });
    await refused({ clientId: "press-9", username: "press-9", password });
    await refused({ clientId: "press-2", username: "press-1", password });
    // A newer token replaces the old one.
    const renewed = live.devices.issueMqttCredentials("press-1");
    await refused({ clientId: "press-1", username: "press-1", password });
    await rawClient(live, { clientId: "press-1", ...renewed });
    expect(live.snapshot().mqttRefusals).toMatchObject({ anonymous: 1, bad_credentials: 3, client_id_mismatch: 1 });
  });

  it("lets clients without a login publish frames only when anonymous access is on", async () => {
    const { live } = await start({ mqtt: { allowAnonymous: true } });
    const device = new SimulatedDevice("press-1");
    live.devices.register(device.deviceId, device.publicKeyPoint);
    await device.connect(url(live));
    devices.push(device);
    await device.publishFrame();
    expect(live.snapshot().ingest.framesAccepted).toBe(1);
  });
});

describe("the embedded broker's ACL", () => {
  it("refuses a publish on a wrong topic without PUBACK (typo, v2, extra level, empty id, $SYS, commands), counts and logs it", async () => {
    const { live, log } = await start();
    const { device, login } = registered(live, "press-1");
    const frame = device.nextFrameBytes();
    const wrong = [
      "intelledger/v1/press-1/frame",
      "intelledger/v2/press-1/frames",
      "intelledger/v1/press-1/frames/extra",
      "intelledger/v1//frames",
      "$SYS/broker/frames",
    ];
    for (const topic of wrong) {
      const client = await rawClient(live, login);
      expect(await publishOutcome(client, topic, frame), topic).toBe("disconnected");
    }
    for (const topic of [frameTopic("press-2"), statusTopic("press-2"), commandTopic("press-1")]) {
      const client = await rawClient(live, login);
      expect(await publishOutcome(client, topic, frame), topic).toBe("disconnected");
    }
    expect(live.snapshot().mqttRefusals).toMatchObject({ wrong_topic: 5, foreign_topic: 3 });
    expect(live.snapshot().ingest.framesAccepted).toBe(0);
    // Once per device and reason within the interval, saying what was wrong.
    const logged = log.lines.filter((line) => line["component"] === "refusals");
    expect(logged.map((line) => [line["reason"], line["detail"]])).toEqual([
      ["wrong_topic", "intelledger/v1/press-1/frame is not intelledger/v1/<device id>/frames or /status"],
      ["foreign_topic", "press-1 may not publish on intelledger/v1/press-2/frames"],
    ]);
    // The frame itself was never taken, so the device can still deliver it on its own topic.
    const client = await rawClient(live, login);
    expect(await publishOutcome(client, frameTopic("press-1"), frame)).toBe("acknowledged");
    expect(live.snapshot().ingest.framesAccepted).toBe(1);
  });

  it("lets a device subscribe to its own commands only: not #, not $SYS, not another device's", async () => {
    const { live } = await start();
    const victim = await loggedInDevice(live, "victim-1");
    await victim.acceptCommands(live.commandPublicKey);
    const snoop = await rawClient(live, registered(live, "snoop-1").login);
    const seen: string[] = [];
    snoop.on("message", (topic) => seen.push(topic));
    for (const filter of ["#", "$SYS/#", "intelledger/#", commandTopic("victim-1"), "intelledger/v1/+/frames"]) {
      await expect(snoop.subscribeAsync(filter, { qos: 1 }), filter).rejects.toMatchObject({ packet: { granted: [128] } });
    }
    expect((await snoop.subscribeAsync(commandTopic("snoop-1"), { qos: 1 }))[0]?.qos).toBe(1);
    await victim.publishFrame();
    const outcome = await live.sendCommand("victim-1", { $case: "reboot", value: {} });
    expect(outcome.commandId).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([]);
    expect(live.snapshot().mqttRefusals?.subscription_refused).toBe(5);
  });
});

describe("quarantine on the embedded broker", () => {
  it("cannot be triggered by another client: 20 forged frames from another device or from nobody leave the genuine device flowing", async () => {
    const { live } = await start({ ingest: { admission: { maxFailures: 20 } } });
    const victim = await loggedInDevice(live, "victim-1");
    const attacker = await loggedInDevice(live, "attacker-1");
    const { login: otherAttacker } = registered(live, "attacker-2");
    for (let i = 0; i < 20; i++) {
      // Under the victim's id: the ACL refuses it before anything reads the frame.
      const onVictimsTopic = await rawClient(live, otherAttacker);
      expect(await publishOutcome(onVictimsTopic, frameTopic("victim-1"), forged(victim.nextFrameBytes()))).toBe("disconnected");
      // Without a login: refused at the door.
      await expect(rawClient(live, { clientId: `anon-${i}` })).rejects.toThrow(/Not authorized/i);
    }
    // On its own topic, the attacker's forgeries of the victim are a mismatch, which quarantines no one.
    for (let i = 0; i < 20; i++) await attacker.publishFrame(forged(victim.nextFrameBytes()));
    const { ingest, mqttRefusals, quarantinedDevices } = live.snapshot();
    expect(mqttRefusals).toMatchObject({ foreign_topic: 20, anonymous: 20 });
    expect(ingest.rejected.device_mismatch).toBe(20);
    expect(quarantinedDevices).toEqual([]);
    for (let i = 0; i < 5; i++) await victim.publishFrame();
    expect(live.snapshot().ingest.framesAccepted).toBe(5);
  });

  it("still quarantines a device whose own login sends bad signatures", async () => {
    const { live } = await start({ ingest: { admission: { maxFailures: 3 } } });
    const device = await loggedInDevice(live, "broken-1");
    for (let i = 0; i < 3; i++) await device.publishFrame(forged(device.nextFrameBytes()));
    expect(live.snapshot().quarantinedDevices).toEqual(["broken-1"]);
  });

  it("with anonymous access on, never counts bad signatures from clients without a login", async () => {
    const { live } = await start({ mqtt: { allowAnonymous: true }, ingest: { admission: { maxFailures: 3 } } });
    const victim = await loggedInDevice(live, "victim-1");
    const anonymous = await rawClient(live, { clientId: "anon-1" });
    for (let i = 0; i < 10; i++) {
      expect(await publishOutcome(anonymous, frameTopic("victim-1"), forged(victim.nextFrameBytes()))).toBe("acknowledged");
    }
    expect(live.snapshot().ingest.rejected.bad_signature).toBe(10);
    expect(live.snapshot().quarantinedDevices).toEqual([]);
    await victim.publishFrame();
    expect(live.snapshot().ingest.framesAccepted).toBe(1);
  });
});

describe("logging refusals", () => {
  it("writes a flood of refusals as a few lines without stack traces, and counts every one", async () => {
    const { live, log } = await start();
    const device = await loggedInDevice(live, "noisy-1");
    const genuine = device.nextFrameBytes();
    await device.publishFrame(genuine);
    const bytesBefore = log.bytes;
    const FRAMES = Number(process.env["EDGE_REFUSAL_FLOOD_FRAMES"] ?? 3_000);
    for (let i = 0; i < FRAMES; i++) await device.publishFrame(i % 2 === 0 ? genuine : Uint8Array.of(0xff, i % 256));
    for (let i = 0; i < 100; i++) {
      await expect(rawClient(live, { clientId: `x-${i}`, username: "noisy-1", password: "wrong" })).rejects.toThrow();
    }
    const { ingest, mqttRefusals } = live.snapshot();
    expect(ingest.rejected).toMatchObject({ replayed: FRAMES / 2, malformed: FRAMES / 2 });
    expect(mqttRefusals?.bad_credentials).toBe(100);
    const written = log.bytes - bytesBefore;
    console.log(`${FRAMES} refused frames and 100 refused logins wrote ${written} bytes of log`);
    expect(written).toBeLessThan(4_096);
    const refusalLines = log.lines.filter((line) => line["component"] === "refusals");
    expect(refusalLines.map((line) => line["reason"]).sort()).toEqual(["bad_credentials", "malformed", "replayed"]);
    expect(log.lines.some((line) => JSON.stringify(line).includes("    at "))).toBe(false);
  }, 60_000);
});
