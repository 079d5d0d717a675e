import { provisionAnswer } from "@intelledger/test-support/provisioning-answer";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceMessage, GatewayMessage, ProvisionRequest, ProvisionResult } from "@intelledger/proto/device";
import { p256PointOf } from "@intelledger/proto/p256";
import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import { PtyPair } from "@intelledger/test-support";
import mqtt from "mqtt";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioningJob } from "../devices/device-provisioning.js";
import { startGateway, type Gateway } from "../gateway.js";
import { GatewayClient } from "../../test/gateway-client.js";
import { quietGatewayConfig } from "../../test/test-gateway.js";

/** How a scripted device answers a request: its key, what it claims, or silence. */
interface Behaviour {
  result?: ProvisionResult;
  /** Signs with another key than the one it reports. */
  forge?: boolean;
}

/**
 * The device end of a cable, answering ProvisionRequests as a device's firmware would: with
 * its key, its firmware version and its signature over the request. Every request is kept.
 */
class ScriptedDevice {
  readonly requests: ProvisionRequest[] = [];
  readonly key = generateKeyPairSync("ec", { namedCurve: "P-256" });
  behaviour: Behaviour = {};

  private constructor(readonly port: SerialPort) {}

  static async on(path: string): Promise<ScriptedDevice> {
    const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    const device = new ScriptedDevice(port);
    const decoder = new SerialPacketDecoder();
    port.on("data", (chunk: Buffer) => {
      for (const packet of decoder.push(chunk)) {
        const body = packet.ok ? GatewayMessage.decode(packet.payload).body : undefined;
        if (body?.$case === "provisionRequest") device.answer(body.value);
      }
    });
    return device;
  }

  get publicKey(): Uint8Array {
    return p256PointOf(this.key.publicKey);
  }

  private answer(requestBytes: Uint8Array): void {
    const request = ProvisionRequest.decode(requestBytes);
    this.requests.push(request);
    const signer: KeyObject = this.behaviour.forge
      ? generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey
      : this.key.privateKey;
    const answer = provisionAnswer(
      requestBytes,
      { publicKey: this.publicKey, signingKey: signer, firmwareVersion: "scripted-1" },
      this.behaviour.result === undefined ? {} : { result: this.behaviour.result },
    );
    this.port.write(encodeSerialPacket(DeviceMessage.encode(answer).finish()));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

let dir: string;
let gateway: Gateway;
let client: GatewayClient;
let token: string;
const cables: PtyPair[] = [];
let held: PtyPair;
let silent: PtyPair;
let taken: PtyPair;
let holder: SerialPort;
let device: ScriptedDevice;

async function cable(name: string): Promise<PtyPair> {
  const cableDir = join(dir, name);
  mkdirSync(cableDir);
  const pair = await PtyPair.open(cableDir);
  cables.push(pair);
  return pair;
}

async function call(method: string, path: string, json?: unknown) {
  const response = await client.request(path, { method, token, ...(json === undefined ? {} : { json }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Starts a run and waits for it to end. */
async function provision(request: Record<string, unknown>): Promise<ProvisioningJob> {
  const started = await call("POST", "/api/devices/provision", request);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const job = started.body as unknown as ProvisioningJob;
  expect(job.state).toBe("running");
  const deadline = Date.now() + 30_000;
  for (;;) {
    const polled = (await call("GET", `/api/devices/provision/${job.job}`)).body as unknown as ProvisioningJob;
    if (polled.state !== "running") return polled;
    if (Date.now() > deadline) throw new Error(`provisioning run ${job.job} still running`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const steps = (job: ProvisioningJob) => job.steps.map((step) => `${step.step}:${step.state}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gateway-provisioning-"));
  held = await cable("held");
  silent = await cable("silent");
  taken = await cable("taken");
  // Another program holds this port before the gateway starts.
  holder = new SerialPort({ path: taken.gatewayPath, baudRate: 115_200, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => holder.open((error) => (error ? reject(error) : resolve())));
  gateway = await startGateway(
    quietGatewayConfig(join(dir, "gateway"), {
      serial: { ports: [held.gatewayPath, silent.gatewayPath, taken.gatewayPath], rescanIntervalMs: 100 },
    }),
    pino({ level: "silent" }),
  );
  client = new GatewayClient(gateway.httpPort);
  token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "provisioning test");
  device = await ScriptedDevice.on(held.devicePath);
}, 60_000);

afterAll(async () => {
  await device.close();
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  await gateway.stop();
  for (const pair of cables) await pair.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("USB provisioning through the gateway's API", () => {
  it("lists the gateway's serial ports and which ones ingest holds", async () => {
    const ports = (await call("GET", "/api/serial-ports")).body as unknown as { path: string; ingest: boolean }[];
    expect(ports).toEqual(
      expect.arrayContaining([
        { path: held.gatewayPath, ingest: true },
        { path: silent.gatewayPath, ingest: true },
        { path: taken.gatewayPath, ingest: false },
      ]),
    );
  });

  it("answers the command key a tool provisioning on its own port hands the device", async () => {
    const answer = await call("GET", "/api/devices/provision/command-key");
    expect(answer).toEqual({
      status: 200,
      body: { commandPublicKey: Buffer.from(gateway.commandPublicKey).toString("hex") },
    });
  });

  it("provisions the device on a port, checks its proof and registers the key it reported", async () => {
    const job = await provision({ port: held.gatewayPath, deviceId: "usb-1", samplingIntervalMs: 500 });
    expect(job).toMatchObject({ state: "succeeded", deviceId: "usb-1", link: "serial", actor: "tech" });
    expect(steps(job)).toEqual(["check:done", "exchange:done", "verify:done", "register:done"]);
    expect(job.result).toMatchObject({
      outcome: "registered",
      firmwareVersion: "scripted-1",
      device: { deviceId: "usb-1", status: "active", publicKey: Buffer.from(device.publicKey).toString("hex") },
    });
    const request = device.requests.at(-1);
    expect(request).toMatchObject({ deviceId: "usb-1", samplingIntervalMs: 500, link: { $case: "serial" } });
    expect(Buffer.from(request?.gatewayCommandKey ?? []).equals(Buffer.from(gateway.commandPublicKey))).toBe(true);
    expect(gateway.audit.list({ limit: 5 }).find((entry) => entry.action === "device.register")).toMatchObject({
      actor: "tech",
      target: "usb-1",
    });

    // Provisioned again with the same key: confirmed, nothing registered twice.
    const again = await provision({ port: held.gatewayPath, deviceId: "usb-1" });
    expect(again.result?.outcome).toBe("confirmed");
  });

  it("gives a Wi-Fi device the broker's address and an MQTT login that works on the embedded broker", async () => {
    const job = await provision({
      port: held.gatewayPath,
      deviceId: "usb-2",
      link: { kind: "wifiMqtt", wifiSsid: "plant-floor", wifiPassword: "correct horse", mqttHost: "gw.plant.local" },
    });
    expect(job.state).toBe("succeeded");
    const link = device.requests.at(-1)?.link;
    expect(link?.$case).toBe("wifiMqtt");
    const settings = link?.$case === "wifiMqtt" ? link.value : undefined;
    expect(settings).toMatchObject({
      wifiSsid: "plant-floor",
      wifiPassword: "correct horse",
      mqttHost: "gw.plant.local",
      mqttPort: gateway.mqttPort,
      mqttUsername: "usb-2",
    });
    const login = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      clientId: "usb-2",
      username: "usb-2",
      password: settings?.mqttPassword ?? "",
      reconnectPeriod: 0,
    });
    await login.endAsync();
    expect(job.result?.device.mqttLogin).toBe(true);
  });

  it("refuses at once what it can tell is wrong, naming the field", async () => {
    const refused = async (request: Record<string, unknown>) => {
      const answer = await call("POST", "/api/devices/provision", request);
      return { status: answer.status, issues: answer.body.issues, error: answer.body.error };
    };
    expect(await refused({ port: join(dir, "elsewhere"), deviceId: "usb-3" })).toMatchObject({
      status: 400,
      issues: [{ path: "body.port", message: expect.stringContaining("GET /api/serial-ports") as string }],
    });
    expect(await refused({ port: held.gatewayPath, deviceId: "usb-3", samplingIntervalMs: 5 })).toMatchObject({
      status: 400,
      issues: [{ path: "body.samplingIntervalMs" }],
    });
    expect(
      await refused({ port: held.gatewayPath, deviceId: "usb-3", link: { kind: "wifiMqtt", wifiSsid: "x".repeat(33) } }),
    ).toMatchObject({ status: 400, issues: [{ path: "body.link.wifiSsid" }] });
    expect(
      await refused({
        port: held.gatewayPath,
        deviceId: "usb-3",
        link: { kind: "wifiMqtt", wifiSsid: "plant", mqttCaCertificate: "not a certificate" },
      }),
    ).toMatchObject({
      status: 400,
      issues: [{ path: "body.link.mqttCaCertificate", message: "must be one certificate in PEM" }],
    });
    expect(await refused({ port: held.gatewayPath, deviceId: "usb-3", link: { kind: "zigbee" } })).toMatchObject({
      status: 400,
      issues: [{ path: "body.link.kind" }],
    });
  });

  it("reports each failure of a run with its code at the step that failed", async () => {
    const noAnswer = await provision({ port: silent.gatewayPath, deviceId: "usb-4", timeoutMs: 1_000 });
    expect(noAnswer.error?.code).toBe("no_answer");
    expect(steps(noAnswer)).toEqual(["check:done", "exchange:failed"]);

    const busy = await provision({ port: taken.gatewayPath, deviceId: "usb-4" });
    expect(busy.error?.code).toBe("device_busy");
    expect(busy.error?.message).toContain("in use by another program");

    device.behaviour = { forge: true };
    const forged = await provision({ port: held.gatewayPath, deviceId: "usb-4" });
    expect(forged.error?.code).toBe("bad_signature");
    expect(steps(forged)).toEqual(["check:done", "exchange:done", "verify:failed"]);

    device.behaviour = { result: ProvisionResult.PROVISION_RESULT_LOCKED };
    const locked = await provision({ port: held.gatewayPath, deviceId: "usb-4" });
    expect(locked.error).toMatchObject({ code: "refused", message: expect.stringContaining("locked") as string });
    device.behaviour = {};
    expect(gateway.devices.get("usb-4")).toBeUndefined();
  });

  it("will not take another key for a registered id unless told, nor provision a decommissioned id", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    gateway.devices.register("usb-5", p256PointOf(other.publicKey));
    const conflict = await provision({ port: held.gatewayPath, deviceId: "usb-5" });
    expect(conflict.error?.code).toBe("conflict");
    expect(steps(conflict)).toEqual(["check:done", "exchange:done", "verify:done", "register:failed"]);

    const replaced = await provision({ port: held.gatewayPath, deviceId: "usb-5", replaceKey: true });
    expect(replaced.result?.outcome).toBe("key-replaced");
    expect(gateway.devices.keyHistory("usb-5")).toHaveLength(1);
    expect(Buffer.from(gateway.devices.get("usb-5")?.publicKeyPoint ?? []).equals(Buffer.from(device.publicKey))).toBe(true);

    await call("POST", "/api/devices/usb-5/decommission", { confirm: "usb-5" });
    const gone = await call("POST", "/api/devices/provision", { port: held.gatewayPath, deviceId: "usb-5" });
    expect(gone.status).toBe(409);
    expect(gone.body.error).toContain("decommissioned");
  });
});
