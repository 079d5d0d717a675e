import { createECDH, createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { GatewayClient } from "../../gateway/test/gateway-client.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Receipt } from "@intelledger/verify";
import { Channel } from "@intelledger/proto/device";
import { signKeyHandover } from "@intelledger/proto/key-handover";
import { PtyPair } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoFleet } from "../demo/demo-fleet.js";
import { type DemoSystem } from "../demo/demo-system.js";
import { buildDeviceSimulator, DeviceSimulatorProcess } from "../demo/device-simulator.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

const DEVICE = "usb-node-1";
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A device's P-256 private key as the simulator keeps it (the scalar in hex), as a key to sign with. */
function privateKeyOfHex(scalarHex: string): KeyObject {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(scalarHex.trim(), "hex"));
  const point = ecdh.getPublicKey();
  const part = (bytes: Buffer) => bytes.toString("base64url");
  return createPrivateKey({
    key: {
      kty: "EC",
      crv: "P-256",
      d: part(ecdh.getPrivateKey()),
      x: part(point.subarray(1, 33)),
      y: part(point.subarray(33)),
    },
    format: "jwk",
  });
}

interface Job {
  job: string;
  state: string;
  steps: { step: string; state: string }[];
  result?: { outcome: string; firmwareVersion: string; device: { publicKey: string } };
  error?: { code: string; message: string };
}

describe("a device provisioned over USB through the gateway's API: stored, anchored, then given a new key", () => {
  let dir: string;
  let binary: string;
  let cable: PtyPair;
  let stateDir: string;
  let simulator: DeviceSimulatorProcess;
  let system: DemoSystem;
  let token: string;

  const simulatorArgs = () => [
    "--provision",
    "--state-dir",
    stateDir,
    "--serial",
    cable.devicePath,
    "--interval-ms",
    "200",
    "--answer-timeout-ms",
    "500",
  ];

  /** Calls the gateway's API as a script written from gateway/README.md would. */
  async function api<T>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`http://127.0.0.1:${system.gateway.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { "content-type": "application/json" }) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** The relay's receipt of one of the gateway's readings, once it is anchored. */
  async function receiptOf(gatewaySeq: number): Promise<Receipt> {
    const relayToken = readFileSync(join(dir, "system", "relay", "api.token"), "utf8").trim();
    const deadline = Date.now() + 120_000;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${system.relay.apiPort}/v1/receipts/${system.gateway.id}/${gatewaySeq}`, {
        headers: { authorization: `Bearer ${relayToken}` },
      });
      if (response.status === 200) return (await response.json()) as Receipt;
      if (Date.now() > deadline)
        throw new Error(`no receipt for reading ${gatewaySeq}: ${response.status} ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** The device's readings the gateway stored after `afterSeq`. */
  const readingsAfter = (afterSeq: number) =>
    system.gateway.readings.between(afterSeq + 1, Number.MAX_SAFE_INTEGER).filter((reading) => reading.deviceId === DEVICE);

  beforeAll(async () => {
    binary = buildDeviceSimulator();
    dir = mkdtempSync(join(tmpdir(), "device-provisioning-"));
    mkdirSync(join(dir, "cable"));
    cable = await PtyPair.open(join(dir, "cable"));
    stateDir = join(dir, "device-state");
    // A new node on a USB cable to the gateway, never provisioned.
    simulator = DeviceSimulatorProcess.start(binary, simulatorArgs());
    await simulator.next((event) => event.event === "awaiting_provisioning");
    const cableOnly: DemoFleet = {
      deviceIds: [],
      serialPorts: [cable.gatewayPath],
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
    system = await startTestDemoSystem(join(dir, "system"), { fleet: cableOnly, batchMaxAgeMs: 500 });
    const { gateway } = system;
    const client = new GatewayClient(gateway.httpPort);
    token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "provisioning test");
  }, 600_000);

  afterAll(async () => {
    await simulator?.stop();
    await system?.stop();
    await cable?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("provisions the node through the API and anchors its readings, committed within its stream bounds", async () => {
    const ports = await api<{ path: string; ingest: boolean }[]>("GET", "/api/serial-ports");
    expect(ports.body).toContainEqual({ path: cable.gatewayPath, ingest: true });

    const started = await api<Job>("POST", "/api/devices/provision", {
      port: cable.gatewayPath,
      deviceId: DEVICE,
      samplingIntervalMs: 200,
      link: { kind: "serial" },
    });
    expect(started.status).toBe(202);
    let job = started.body;
    while (job.state === "running") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await api<Job>("GET", `/api/devices/provision/${job.job}`)).body;
    }
    expect(job.error).toBeUndefined();
    expect(job.steps.map((step) => `${step.step}:${step.state}`)).toEqual([
      "check:done",
      "exchange:done",
      "verify:done",
      "register:done",
    ]);
    expect(job.result).toMatchObject({ outcome: "registered", firmwareVersion: "sim-1.0.0" });
    expect(job.result?.device.publicKey).toBe(DeviceSimulatorProcess.publicKey(binary, DEVICE, stateDir));
    await simulator.next((event) => event.event === "started" && event.deviceId === DEVICE);

    const bounded = await api<unknown>("PUT", `/api/devices/${DEVICE}/settings`, {
      streamBounds: [
        { channel: "temperature", min: -40, max: 85 },
        { channel: "humidity", min: 0, max: 100 },
      ],
    });
    expect(bounded.status).toBe(200);
    const boundsFrom = system.gateway.readings.lastSeq();

    // A reading stored after the bounds were set, in a batch the relay stored, proved and anchored.
    await waitFor(
      () => readingsAfter(boundsFrom).some((r) => r.channel === Channel.CHANNEL_TEMPERATURE),
      60_000,
      "the node's temperature readings",
    );
    const reading = readingsAfter(boundsFrom).find((r) => r.channel === Channel.CHANNEL_TEMPERATURE);
    const receipt = await receiptOf(reading?.gatewaySeq ?? 0);
    expect(receipt.reading).toMatchObject({ deviceId: DEVICE, gatewaySeq: reading?.gatewaySeq });
    const { stream } = receipt.inclusion;
    const scale = reading?.scale ?? 0;
    expect(stream).toMatchObject({
      deviceId: DEVICE,
      channel: Channel.CHANNEL_TEMPERATURE,
      min: -40 * 10 ** scale,
      max: 85 * 10 ** scale,
    });
    await waitFor(
      async () => (await system.relay.proofs.get(system.gateway.id, receipt.batch.sequence))?.valid === true,
      180_000,
      "the relay's verdict on the bounded batch's proof",
    );
    const view = await api<{ activity: { rejected: Record<string, number> }; transport: string }>(
      "GET",
      `/api/devices/${DEVICE}`,
    );
    expect(view.body.transport).toBe("serial");
    // A frame whose answer came late is sent again and refused as a replay (it is stored once); nothing else is refused.
    expect(Object.keys(view.body.activity.rejected).filter((reason) => reason !== "replayed")).toEqual([]);
  }, 400_000);

  it("rotates the node's key on its old key's signature and keeps ingesting and anchoring", async () => {
    const oldKey = privateKeyOfHex(readFileSync(join(stateDir, "device.key"), "utf8"));
    const next = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const nextJwk = next.privateKey.export({ format: "jwk" });
    const nextPoint = Uint8Array.from([
      4,
      ...Buffer.from(nextJwk.x ?? "", "base64url"),
      ...Buffer.from(nextJwk.y ?? "", "base64url"),
    ]);
    // The node's part of a rotation: sign the handover with the old key, then keep the new one.
    const signature = signKeyHandover(oldKey, DEVICE, nextPoint);
    await simulator.stop();
    writeFileSync(join(stateDir, "device.key"), `${Buffer.from(nextJwk.d ?? "", "base64url").toString("hex")}\n`, {
      mode: 0o600,
    });

    const rotated = await api<{ publicKey: string; lastCounter: string }>("POST", `/api/devices/${DEVICE}/rotate-key`, {
      publicKey: hex(nextPoint),
      signature: hex(signature),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.publicKey).toBe(hex(nextPoint));
    const rotatedAt = system.gateway.readings.lastSeq();

    simulator = DeviceSimulatorProcess.start(binary, simulatorArgs());
    const restarted = await simulator.next((event) => event.event === "started" && event.deviceId === DEVICE);
    expect(restarted.publicKey).toBe(hex(nextPoint));
    await waitFor(() => readingsAfter(rotatedAt).length >= 9, 60_000, "the node's readings under its new key");
    const reading = readingsAfter(rotatedAt)[0];
    const receipt = await receiptOf(reading?.gatewaySeq ?? 0);
    expect(receipt.reading.deviceId).toBe(DEVICE);

    // Nothing the node signed was lost: frames its old key signed on their way were taken, and no counter was skipped.
    const view = await api<{ activity: { rejected: Record<string, number>; framesMissed: number } }>(
      "GET",
      `/api/devices/${DEVICE}`,
    );
    expect(view.body.activity.rejected.bad_signature).toBeUndefined();
    expect(view.body.activity.framesMissed).toBe(0);
    const keys = await api<{ current: string; rotations: { oldPublicKey: string; handoverSignature: string }[] }>(
      "GET",
      `/api/devices/${DEVICE}/keys`,
    );
    expect(keys.body.current).toBe(hex(nextPoint));
    expect(keys.body.rotations).toMatchObject([{ handoverSignature: hex(signature) }]);
  }, 400_000);
});
