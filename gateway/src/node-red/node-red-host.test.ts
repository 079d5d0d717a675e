import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Channel, CommandResult } from "@intelledger/proto/device";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleFlows, flowTab, type FlowNode } from "../../test/example-flows.js";
import { GatewayClient, sessionCookieOf, TEST_PASSWORD } from "../../test/gateway-client.js";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { SimulatedDevice, until } from "@intelledger/test-support";

// The tests build on each other (flows deployed, then fed), so they share one gateway, in order.
let dataDir: string;
let gateway: Gateway;
let client: GatewayClient;
let technician: string;
let integratorToken: string;
let viewer: string;
let device: SimulatedDevice;
let temperatureCenti = 2_500;

function deploy(flows: FlowNode[], auth: { token?: string; cookie?: string }) {
  return client.request("/flows/flows", {
    method: "POST",
    ...auth,
    headers: { "node-red-api-version": "v1", "node-red-deployment-type": "full" },
    json: flows,
  });
}

function readingsOf(deviceId: string) {
  const all = gateway.readings.between(1, gateway.readings.lastSeq());
  return all.filter((reading) => reading.deviceId === deviceId);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gateway-node-red-"));
  gateway = await startGateway(
    parseGatewayConfig({
      dataDir,
      mqtt: { port: 0 },
      batching: { maxReadings: 64, maxAgeMs: 200 },
      http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: true, keepBackups: 3 } },
    }),
    pino({ level: "silent" }),
  );
  client = new GatewayClient(gateway.httpPort);
  technician = await client.pair(gateway.pairingCode ?? "", "tech");
  await client.createAccount(technician, "ivy", "integrator");
  await client.createAccount(technician, "vic", "viewer");
  integratorToken = await client.apiToken(await client.login("ivy"), "deploys");
  viewer = await client.login("vic");

  device = new SimulatedDevice("press-01", {
    sensors: [
      { channel: Channel.CHANNEL_TEMPERATURE, index: 0, scale: 2, read: () => temperatureCenti },
      { channel: Channel.CHANNEL_VIBRATION, index: 0, scale: 3, read: () => 200 + Math.round(Math.random() * 40) },
    ],
  });
  gateway.devices.register(device.deviceId, device.publicKeyPoint);
  await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
  await device.acceptCommands(gateway.commandPublicKey);
}, 60_000);

afterAll(async () => {
  await device?.stop();
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("Node-RED behind the gateway", () => {
  it("refuses the editor, its admin API and its WebSocket without a login", async () => {
    expect(gateway.nodeRedRunning).toBe(true);
    const editor = await client.request("/flows/", { headers: { accept: "text/html" } });
    expect(editor.status).toBe(303);
    expect(editor.headers.get("location")).toBe("/login?next=%2Fflows%2F");
    for (const path of ["/flows/flows", "/flows/settings", "/flows/nodes", "/flows/diagnostics"]) {
      expect((await client.request(path)).status, path).toBe(401);
    }
    expect((await deploy([], {})).status).toBe(401);
    expect(await client.upgrade("/flows/comms")).toBe(401);
    expect(await client.upgrade("/flows/comms", { cookie: viewer, origin: "http://evil.example" })).toBe(401);
    expect(await client.upgrade("/flows/comms", { cookie: viewer })).toBe(101);
  });

  it("lets a viewer look at the flows but not deploy them", async () => {
    expect((await client.request("/flows/flows", { cookie: viewer })).status).toBe(200);
    const settings = (await (await client.request("/flows/settings", { cookie: viewer })).json()) as { user: unknown };
    expect(settings.user).toEqual({ username: "vic", permissions: "read" });
    expect((await deploy(exampleFlows("vibration-rms-derived"), { cookie: viewer })).status).toBe(403);
    expect((await client.request("/flows/flows", { cookie: viewer })).status).toBe(200);
  });

  it("offers the IntelLedger nodes and their example flows, all loaded without a network", async () => {
    const nodes = (await (
      await client.request("/flows/nodes", { cookie: viewer, headers: { accept: "application/json" } })
    ).json()) as {
      module: string;
      types: string[];
      err?: string;
    }[];
    expect(nodes.filter((set) => set.err !== undefined)).toEqual([]);
    expect(nodes.filter((set) => set.module === "node-red-contrib-intelledger").flatMap((set) => set.types)).toEqual([
      "intelledger-gateway",
      "intelledger-readings",
      "intelledger-anomalies",
      "intelledger-command",
      "intelledger-write",
      "intelledger-status",
      "intelledger-series",
      "intelledger-alerts",
    ]);
    expect(nodes.some((set) => set.types.includes("exec"))).toBe(false);
    const examples = await client.request("/flows/library/examples/flows/node-red-contrib-intelledger/vibration-rms-derived", {
      cookie: viewer,
    });
    expect(examples.status).toBe(200);
    expect(await examples.json()).toEqual(exampleFlows("vibration-rms-derived"));
  });

  it("deploys the example flows for an integrator, backs them up and audits the deploy", async () => {
    const flows = exampleFlows(
      "vibration-anomaly-alert",
      "temperature-threshold-command",
      "vibration-rms-derived",
      "gateway-status",
    );
    const deployed = await deploy(flows, { token: integratorToken });
    expect(deployed.status).toBeLessThan(300);
    const stored = JSON.parse(readFileSync(join(dataDir, "node-red", "flows.json"), "utf8")) as FlowNode[];
    expect(stored.map((node) => node.id).sort()).toEqual(flows.map((node) => node.id).sort());
    const backups = readdirSync(join(dataDir, "node-red", "flow-backups"));
    expect(backups).toEqual([expect.stringMatching(/^flows-\d{4}-\d\d-\d\dT[\d-]+Z-ivy\.json$/) as unknown]);
    expect(gateway.audit.list({ limit: 1 })[0]).toMatchObject({
      actor: "ivy",
      action: "flows.deploy",
      target: "POST /flows/flows",
      details: { deploymentType: "full" },
    });
  });

  it("turns verified readings into derived readings that are stored and batched", async () => {
    device.run(50, () => {});
    await until(() => readingsOf("flow.press-01.rms").length > 0, "an RMS written back", 15_000);
    const [rms] = readingsOf("flow.press-01.rms");
    expect(rms).toMatchObject({ channel: Channel.CHANNEL_VIBRATION, scale: 3, frameCounter: 1n });
    expect(rms?.value).toBeGreaterThanOrEqual(200);
    expect(rms?.value).toBeLessThanOrEqual(240);
    await until(
      () => (gateway.batches.last()?.lastGatewaySeq ?? 0) >= (rms?.gatewaySeq ?? Infinity),
      "the RMS sealed into a batch",
      15_000,
    );
  });

  it("sends a signed device command when the temperature crosses the threshold", async () => {
    expect(device.commands).toEqual([]);
    temperatureCenti = 3_550;
    await until(
      () => gateway.audit.list({ limit: 5 }).some((entry) => entry.action === "device.command"),
      "the device's answer to be audited",
      15_000,
    );
    expect(device.commands).toHaveLength(1);
    expect(device.commands[0]).toMatchObject({
      result: CommandResult.COMMAND_RESULT_APPLIED,
      command: { deviceId: "press-01", action: { $case: "setSamplingInterval", value: { intervalMs: 250 } } },
    });
    expect(gateway.audit.list({ limit: 5 }).find((entry) => entry.action === "device.command")).toMatchObject({
      actor: "node-red:b2b2000000000006",
      target: "press-01",
      details: { action: "setSamplingInterval", result: "applied" },
    });
  });

  it("raises an anchored alert when inference flags a vibration reading", async () => {
    const vibration = readingsOf("press-01").find((reading) => reading.channel === Channel.CHANNEL_VIBRATION);
    if (!vibration) throw new Error("no vibration reading stored");
    gateway.anomalies.publish({
      reading: vibration,
      anomaly: { score: 0.97, flagged: true, model: "vibration-ae@1", threshold: 0.8 },
    });
    await until(() => gateway.derived.alerts().length > 0, "an alert", 15_000);
    const [alert] = gateway.derived.alerts();
    expect(alert).toMatchObject({
      source: "vibration-watch",
      severity: "warning",
      code: 101,
      subjectDeviceId: "press-01",
      subjectGatewaySeq: vibration.gatewaySeq,
      message: `Vibration anomaly on press-01: ${vibration.value / 1000} g (score 0.97, model vibration-ae@1)`,
    });
    const [anchored] = gateway.readings.between(alert?.gatewaySeq ?? 0, alert?.gatewaySeq ?? 0);
    expect(anchored).toMatchObject({
      deviceId: "flow.vibration-watch",
      channel: Channel.CHANNEL_ALERT,
      channelIndex: 101,
      value: 2,
    });
  });

  it("keeps ingesting while a flow throws or runs away", async () => {
    const misbehaving = flowTab("bad0000000000001", "misbehaving", [
      { id: "bad0000000000002", type: "intelledger-readings", gateway: "c0ffee0000000001", wires: [["bad0000000000003"]] },
      {
        id: "bad0000000000003",
        type: "function",
        func: "setTimeout(() => { throw new Error('late'); }, 0);\nthrow new Error('bad flow');",
        outputs: 1,
        wires: [[]],
      },
      { id: "bad0000000000004", type: "inject", once: true, onceDelay: "0.1", repeat: "", wires: [["bad0000000000005"]] },
      { id: "bad0000000000005", type: "function", func: "while (true) {}", outputs: 1, wires: [[]] },
    ]);
    const flows = [...exampleFlows("vibration-rms-derived"), ...misbehaving];
    expect((await deploy(flows, { token: integratorToken })).status).toBeLessThan(300);
    const before = gateway.readings.count();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const after = gateway.readings.count();
    expect(after).toBeGreaterThan(before + 30);
    expect((await client.request("/flows/flows", { cookie: viewer })).status).toBe(200);
    expect(existsSync(join(dataDir, "node-red", "flow-backups"))).toBe(true);
    expect(readdirSync(join(dataDir, "node-red", "flow-backups"))).toHaveLength(2);
  });

  it("answers Node-RED's own login dialog with a gateway session, and its logout ends it", async () => {
    const refused = await client.form("/flows/auth/token", {
      client_id: "node-red-editor",
      grant_type: "password",
      scope: "",
      username: "ivy",
      password: "not the password",
    });
    expect(refused.status).toBe(401);
    const granted = await client.form("/flows/auth/token", {
      client_id: "node-red-editor",
      grant_type: "password",
      scope: "",
      username: "ivy",
      password: TEST_PASSWORD,
    });
    expect(granted.status).toBe(200);
    // The session is in the cookie only; the dialog's token is an identity for Node-RED,
    // which the editor sends along and the gateway does not take as a credential.
    const cookie = sessionCookieOf(granted);
    const { access_token: token } = (await granted.json()) as { access_token: string };
    expect(cookie).not.toContain(token);
    expect((await client.request("/api/auth/me", { token })).status).toBe(401);
    const settings = (await (await client.request("/flows/settings", { token, cookie })).json()) as { user: unknown };
    expect(settings.user).toEqual({ username: "ivy", permissions: "*" });

    const revoked = await client.request("/flows/auth/revoke", { method: "POST", token, cookie, json: { token } });
    expect(await revoked.json()).toEqual({ redirect: "/login" });
    expect((await client.request("/flows/settings", { token, cookie })).status).toBe(401);
  });

  it("refuses a login form larger than a login", async () => {
    const oversized = await client.form("/flows/auth/token", { username: "ivy", password: "x".repeat(8_000) });
    expect(oversized.status).toBe(413);
    expect(oversized.headers.get("set-cookie")).toBeNull();
  });
});
