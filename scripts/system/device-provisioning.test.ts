import { createECDH, createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { GatewayClient } from "../../gateway/test/gateway-client.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Receipt } from "@intelledger/verify";
import { startDevChain } from "@intelledger/contracts";
import { Channel } from "@intelledger/proto/device";
import { signKeyHandover } from "@intelledger/proto/key-handover";
import { freePort, PtyPair } from "@intelledger/test-support";
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

/** A batch in `GET /api/batches` (gateway/README.md, Batches, anchors and receipts). */
interface GatewayBatch {
  sequence: number;
  readingCount: number;
  state: string;
  stage: string;
  proof: { present: boolean; valid?: boolean };
  anchor?: { transactionHash: string; blockNumber: number; confirmedAtMs: number };
}

interface BatchListing {
  batches: GatewayBatch[];
  lastAnchored?: { sequence: number; transactionHash: string; blockNumber: number; confirmedAtMs: number };
  receipts: { fromRelay: boolean; rpcUrl?: string };
}

/** `check` of `POST /api/receipts/:gatewaySeq/verify`. */
interface ReceiptCheck {
  verdict: string;
  rpcUrl: string;
  links: { link: string; result: string; detail?: string }[];
  failure?: string;
  anchor?: { transactionHash: string; blockNumber: number; confirmations: number; anchorer: string; anchoredAtSec: number };
}

/** The links of a receipt's evidence, in the order the README says they are checked. */
const DOCUMENTED_LINKS = [
  "chain",
  "deployment",
  "batch_signature",
  "reading_in_batch",
  "batch_in_anchor",
  "verification_key",
  "batch_proof",
  "root_anchored",
  "transaction",
  "anchorer",
  "gateway_registered",
  "confirmations",
];

/** An entry of `GET /api/audit`. */
interface AuditEntry {
  id: number;
  atMs: number;
  actor: string;
  action: string;
  target?: string;
  details: Record<string, unknown>;
}

/** A batch in the relay's `GET /v1/gateways/<gateway>/batches` (docs/relay-operations.md). */
interface RelayBatch {
  sequence: number;
  state: string;
  readingCount: number;
  proof: string;
  transactionHash: string;
  blockNumber: number;
}

describe("a device provisioned over USB through the gateway's API: stored, anchored, receipted, commanded, then given a new key", () => {
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

  /** Asks the relay's admin API (docs/relay-operations.md), with the relay operator's token. */
  function relayApi(path: string): Promise<Response> {
    const relayToken = readFileSync(join(dir, "system", "relay", "api.token"), "utf8").trim();
    return fetch(`http://127.0.0.1:${system.relay.apiPort}${path}`, { headers: { authorization: `Bearer ${relayToken}` } });
  }

  /** One JSON-RPC call to the chain the relay anchors on. */
  async function chainRpc<T>(method: string, params: unknown[]): Promise<T> {
    const response = await fetch(system.chain.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return ((await response.json()) as { result: T }).result;
  }

  /** The relay's record of one of the gateway's batches. */
  async function relayBatch(sequence: number): Promise<RelayBatch | undefined> {
    const page = await relayApi(`/v1/gateways/${system.gateway.id}/batches?limit=1&before=${sequence + 1}`);
    return ((await page.json()) as { batches: RelayBatch[] }).batches.find((batch) => batch.sequence === sequence);
  }

  /** The relay's receipt of one of the gateway's readings, once it is anchored. */
  async function receiptOf(gatewaySeq: number): Promise<Receipt> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const response = await relayApi(`/v1/receipts/${system.gateway.id}/${gatewaySeq}`);
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

  /** A reading of the node whose batch the relay anchored and holds a valid proof of; set by the batches test. */
  let proven: { gatewaySeq: number; atRelay: RelayBatch };

  it("lists the node's batches with the relay's proof verdict and anchoring transaction", async () => {
    const reading = readingsAfter(0).find((r) => r.channel === Channel.CHANNEL_TEMPERATURE);
    const gatewaySeq = reading?.gatewaySeq ?? 0;
    const { sequence } = (await receiptOf(gatewaySeq)).batch;
    let atRelay: RelayBatch | undefined;
    await waitFor(
      async () => (atRelay = await relayBatch(sequence))?.proof === "valid",
      180_000,
      "the relay's verdict on the batch's proof",
    );
    proven = { gatewaySeq, atRelay: atRelay as RelayBatch };

    // The gateway lists it anchored, with the relay's verdict on its proof (learnt from the relay's answers).
    let listed: GatewayBatch | undefined;
    await waitFor(
      async () => {
        listed = (await api<BatchListing>("GET", `/api/batches?limit=1&beforeSequence=${sequence + 1}`)).body.batches[0];
        return listed?.stage === "anchored" && listed.proof.valid !== undefined;
      },
      60_000,
      "the gateway to learn the batch is anchored and its proof verified",
    );
    expect(listed).toMatchObject({ sequence, state: "acknowledged", stage: "anchored", proof: { present: true, valid: true } });
    expect(listed?.readingCount).toBe(atRelay?.readingCount);

    // The newest page: every batch up to the newest anchored one is anchored, by the transaction the relay names.
    const newest = await api<BatchListing>("GET", "/api/batches");
    expect(newest.status).toBe(200);
    const { lastAnchored, receipts } = newest.body;
    expect(receipts).toEqual({ fromRelay: true, rpcUrl: system.chain.rpcUrl });
    expect(await relayBatch(lastAnchored?.sequence ?? 0)).toMatchObject({
      state: "anchored",
      transactionHash: lastAnchored?.transactionHash,
      blockNumber: lastAnchored?.blockNumber,
    });
    const newestAnchored = newest.body.batches.find((batch) => batch.sequence === lastAnchored?.sequence);
    expect(newestAnchored?.anchor).toEqual({
      transactionHash: lastAnchored?.transactionHash,
      blockNumber: lastAnchored?.blockNumber,
      confirmedAtMs: lastAnchored?.confirmedAtMs,
    });
    for (const batch of newest.body.batches.filter((b) => b.sequence <= (lastAnchored?.sequence ?? 0))) {
      expect(batch.stage).toBe("anchored");
    }
  }, 400_000);

  it("answers the reading's receipt, which holds link by link against the chain and fails on another chain", async () => {
    const { gatewaySeq, atRelay } = proven;
    const receipt = await api<Receipt>("GET", `/api/receipts/${gatewaySeq}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toEqual(await receiptOf(gatewaySeq));
    const checked = await api<{ receipt: Receipt; check: ReceiptCheck }>("POST", `/api/receipts/${gatewaySeq}/verify`, {});
    expect(checked.status).toBe(200);
    expect(checked.body.receipt).toEqual(receipt.body);
    expect(checked.body.check).toMatchObject({ verdict: "verified", rpcUrl: system.chain.rpcUrl });
    expect(checked.body.check.failure).toBeUndefined();
    expect(checked.body.check.links.map(({ link, result }) => `${link}:${result}`)).toEqual(
      DOCUMENTED_LINKS.map((link) => `${link}:ok`),
    );
    const anchoring = await chainRpc<{ from: string; blockNumber: string }>("eth_getTransactionByHash", [
      atRelay.transactionHash,
    ]);
    expect(Number(anchoring.blockNumber)).toBe(atRelay.blockNumber);
    expect(checked.body.check.anchor).toMatchObject({
      transactionHash: atRelay.transactionHash,
      blockNumber: atRelay.blockNumber,
    });
    expect(checked.body.check.anchor?.anchorer.toLowerCase()).toBe(anchoring.from);
    expect(checked.body.check.anchor?.confirmations).toBeGreaterThanOrEqual(1);

    // Refusals the README names: a reading not anchored (not even stored) yet, a chain endpoint that does not answer.
    const notYet = await api<{ error: string }>("GET", `/api/receipts/${system.gateway.readings.lastSeq() + 1_000_000}`);
    expect(notYet.status).toBe(404);
    const silentChain = await api<{ error: string }>("POST", `/api/receipts/${gatewaySeq}/verify`, {
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
    });
    expect(silentChain.status).toBe(502);
    expect(silentChain.body.error).toEqual(expect.any(String));

    // At an endpoint of another chain of the same id, where nothing of it was deployed or anchored, the check fails.
    const elsewhere = await startDevChain();
    try {
      const refused = await api<{ check: ReceiptCheck }>("POST", `/api/receipts/${gatewaySeq}/verify`, {
        rpcUrl: elsewhere.rpcUrl,
      });
      expect(refused.status).toBe(200);
      const { check } = refused.body;
      expect(check).toMatchObject({ verdict: "failed", rpcUrl: elsewhere.rpcUrl, failure: expect.any(String) as string });
      expect(check.anchor).toBeUndefined();
      const failedAt = check.links.findIndex((link) => link.result === "failed");
      expect(check.links[failedAt]).toMatchObject({ link: "deployment", detail: expect.any(String) as string });
      expect(check.links.slice(0, failedAt).every((link) => link.result === "ok")).toBe(true);
      expect(check.links.slice(failedAt + 1).every((link) => link.result === "not_checked")).toBe(true);
    } finally {
      await elsewhere.stop();
    }
  }, 400_000);

  it("sends the node a command over its cable and answers with the node's acknowledgement, audited", async () => {
    const command = await api<{ deviceId: string; commandId: number; result: string }>(
      "POST",
      `/api/devices/${DEVICE}/commands`,
      {
        type: "setSamplingInterval",
        intervalMs: 500,
      },
    );
    expect(command).toMatchObject({ status: 200, body: { deviceId: DEVICE, result: "applied" } });
    const atNode = await simulator.next((event) => event.event === "command" && event.commandId === command.body.commandId);
    expect(atNode.result).toMatch(/applied/i);
    const audit = await api<AuditEntry[]>("GET", "/api/audit?limit=20");
    expect(audit.body.find((entry) => entry.action === "device.command")).toMatchObject({
      actor: "tech",
      target: DEVICE,
      details: { action: "setSamplingInterval", commandId: command.body.commandId, result: "applied" },
    });
    const tooFast = await api<{ error: string; issues: { path: string }[] }>("POST", `/api/devices/${DEVICE}/commands`, {
      type: "setSamplingInterval",
      intervalMs: 1,
    });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.issues.map((issue) => issue.path)).toContain("body.intervalMs");
  }, 60_000);

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
