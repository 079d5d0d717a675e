import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedDevice } from "@intelledger/test-support";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowTab, type FlowNode } from "../../test/example-flows.js";
import { GatewayClient } from "../../test/gateway-client.js";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { COMMAND_KEY_FILE } from "../identity/command-key.js";
import { GATEWAY_KEY_FILE } from "../identity/gateway-identity.js";
import type { NodeRedStatus } from "./node-red-supervisor.js";

/** The acceptance bound: a blocked Node-RED is replaced by a new process within this. */
const RESTART_WITHIN_MS = 10_000;
/**
 * Node-RED takes about 3 s to start on an idle machine here, and several times that on a
 * busy one; the test allows for the busy one.
 */
const SERVING_AGAIN_WITHIN_MS = 60_000;
const HEALTH_WITHIN_MS = 1_000;
const SECRET_VARIABLE = "INTELLEDGER_ISOLATION_TEST_SECRET";

let dataDir: string;
let gateway: Gateway;
let client: GatewayClient;
let integrator: string;
let device: SimulatedDevice;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function nodeRed(): Promise<NodeRedStatus> {
  return (await (await client.request("/api/node-red", { cookie: integrator })).json()) as NodeRedStatus;
}

function deploy(flows: FlowNode[]) {
  return client.request("/flows/flows", {
    method: "POST",
    cookie: integrator,
    headers: { "node-red-api-version": "v1", "node-red-deployment-type": "full" },
    json: flows,
  });
}

/** A tcp in node's settings for a byte stream on `port`, wired nowhere. */
function binaryStream(port: number) {
  return { port: String(port), datamode: "stream", datatype: "buffer", wires: [[]] };
}

/** A tab with an inject (once, shortly after start) wired to a function node with this code. */
function functionFlow(name: string, code: { func?: string; initialize?: string }, extra: FlowNode[] = []): FlowNode[] {
  return flowTab(`${name}-tab`, name, [
    { id: `${name}-inject`, type: "inject", once: true, onceDelay: "0.5", repeat: "", wires: [[`${name}-function`]] },
    {
      id: `${name}-function`,
      type: "function",
      func: code.func ?? "return msg;",
      initialize: code.initialize ?? "",
      outputs: 1,
      wires: [extra.map((node) => node.id)],
    },
    ...extra,
  ]);
}

/**
 * Watches the gateway while something happens to Node-RED: /healthz timed every 200 ms,
 * and the readings count every second, which must keep growing.
 */
function watchGateway() {
  let slowestHealthMs = 0;
  let healthFailures = 0;
  let stalledSeconds = 0;
  let lastCount = gateway.readings.count();
  let running = true;
  const health = (async () => {
    while (running) {
      const startedAt = performance.now();
      const answer = await fetch(`${client.base}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - startedAt);
      if (answer?.status !== 200) healthFailures++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const readings = setInterval(() => {
    const count = gateway.readings.count();
    if (count <= lastCount) stalledSeconds++;
    lastCount = count;
  }, 1_000);
  return async () => {
    running = false;
    clearInterval(readings);
    await health;
    return { slowestHealthMs, healthFailures, stalledSeconds };
  };
}

/**
 * Deploys flows that bring Node-RED down; measures how long until a new process runs, and
 * until it serves the editor again.
 */
async function restartAfterDeploying(flows: FlowNode[]): Promise<{ processMs: number; servingMs: number }> {
  const before = await nodeRed();
  const deployedAt = Date.now();
  const deployed = await deploy(flows);
  expect(deployed.status, await deployed.text()).toBeLessThan(300);
  const pid = await until("a new Node-RED process", async () => {
    const status = await nodeRed();
    return status.pid !== undefined && status.pid !== before.pid ? status.pid : undefined;
  });
  const processMs = Date.now() - deployedAt;
  await until("the new process serving the editor", async () => {
    const status = await nodeRed();
    return status.pid === pid && ["running", "safe-mode"].includes(status.state);
  });
  return { processMs, servingMs: Date.now() - deployedAt };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

beforeAll(async () => {
  process.env[SECRET_VARIABLE] = "the gateway's environment";
  dataDir = mkdtempSync(join(tmpdir(), "gateway-node-red-isolation-"));
  gateway = await startGateway(
    parseGatewayConfig({
      dataDir,
      mqtt: { port: 0 },
      http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: true, safeModeAfterCrashes: 2 } },
    }),
    pino({ level: "silent" }),
  );
  client = new GatewayClient(gateway.httpPort);
  const technician = await client.pair(gateway.pairingCode ?? "", "tech");
  await client.createAccount(technician, "ivy", "integrator");
  integrator = await client.login("ivy");
  device = new SimulatedDevice("press-01");
  gateway.devices.register(device.deviceId, device.publicKeyPoint);
  await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
  device.run(50, () => {});
}, 60_000);

afterAll(async () => {
  delete process.env[SECRET_VARIABLE];
  await device?.stop();
  await gateway?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("Node-RED in a process of its own", () => {
  // Skipped unless root: the gateway drops Node-RED to another user only when it may switch users.
  it.runIf(process.getuid?.() === 0)(
    "keeps a flow that escapes to `process` away from the gateway's keys, database and environment (as root, Node-RED as nobody)",
    async () => {
      const probe = `
        const p = msg.constructor.constructor("return process")();
        const fs = p.getBuiltinModule("fs");
        const attempt = (act) => { try { act(); return "allowed"; } catch (error) { return error.code === "ERR_SQLITE_ERROR" ? error.message : error.code; } };
        const data = ${JSON.stringify(dataDir)};
        msg.payload = JSON.stringify({
          uid: p.getuid(),
          gatewayKey: attempt(() => fs.readFileSync(data + "/${GATEWAY_KEY_FILE}")),
          commandKey: attempt(() => fs.readFileSync(data + "/${COMMAND_KEY_FILE}")),
          database: attempt(() => fs.openSync(data + "/gateway.sqlite", "r")),
          sqlite: attempt(() => new (p.getBuiltinModule("node:sqlite").DatabaseSync)(data + "/gateway.sqlite").prepare("SELECT 1").get()),
          listing: attempt(() => fs.readdirSync(data)),
          planting: attempt(() => fs.writeFileSync(data + "/planted", "x")),
          secret: p.env.${SECRET_VARIABLE} ?? null,
          environment: Object.keys(p.env).sort(),
          openIntoGateway: fs.readdirSync("/proc/self/fd").map((fd) => { try { return fs.readlinkSync("/proc/self/fd/" + fd); } catch { return ""; } })
            .filter((target) => target.startsWith(data) && !target.startsWith(data + "/node-red")),
        });
        return msg;`;
      const report = {
        id: "escape-report",
        type: "intelledger-write",
        gateway: "escape-gateway",
        mode: "alert",
        source: "escape",
        severity: "info",
        code: 1,
        wires: [[]],
      };
      const flows = [
        ...functionFlow("escape", { func: probe }, [report]),
        { id: "escape-gateway", type: "intelledger-gateway", name: "gateway" },
      ];
      expect((await deploy(flows)).status).toBeLessThan(300);
      const alert = await until("the escaped flow's report", () => gateway.derived.alerts().find((a) => a.source === "escape"));
      const found = JSON.parse(alert.message) as Record<string, unknown>;
      expect(found).toMatchObject({
        uid: 65_534,
        gatewayKey: "EACCES",
        commandKey: "EACCES",
        database: "EACCES",
        listing: "EACCES",
        planting: "EACCES",
        secret: null,
        openIntoGateway: [],
      });
      expect(found.sqlite).toMatch(/unable to open database file/);
      expect(found.environment).toEqual(expect.arrayContaining(["HOME", "NODE_ENV", "PATH"]));
      expect(
        (found.environment as string[]).filter(
          (name) => !["HOME", "NODE_ENV", "PATH", "LANG", "TZ", "NODE_COMPILE_CACHE"].includes(name),
        ),
      ).toEqual([]);
      expect(statSync(join(dataDir, "gateway.sqlite")).mode & 0o077).toBe(0);
      expect((await nodeRed()).user).toBe("nobody");
    },
  );

  it("refuses to deploy a tcp in node, which would listen on the network", async () => {
    const port = await freePort();
    const listener = flowTab("listen-tab", "listens", [
      { id: "listen-tcp", type: "tcp in", name: "plc", server: "server", host: "", ...binaryStream(port) },
    ]);
    const refused = await deploy(listener);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe(
      `listening network nodes are off on this gateway (http.nodeRed.allowListeningNodes): tcp in "plc" (listen-tcp)`,
    );
    expect(await connects(port)).toBe(false);
    // The same node connecting out is a client, and allowed.
    const client = [listener[0]!, { ...listener[1]!, server: "client", host: "127.0.0.1" }];
    expect((await deploy(client)).status).toBeLessThan(300);
  });

  it(`keeps ingesting and answering while an async busy loop blocks Node-RED, and restarts it within ${RESTART_WITHIN_MS / 1000} s`, async ({
    annotate,
  }) => {
    const watching = watchGateway();
    const restart = await restartAfterDeploying(functionFlow("async-loop", { func: "await null;\nwhile (true) {}" }));
    const safeMode = await until("safe mode", async () => {
      const status = await nodeRed();
      return status.state === "safe-mode" ? status : undefined;
    });
    const { slowestHealthMs, healthFailures, stalledSeconds } = await watching();
    await annotate(
      `new Node-RED process ${restart.processMs} ms after the deploy, serving ${restart.servingMs} ms after; ` +
        `slowest /healthz ${slowestHealthMs.toFixed(0)} ms`,
    );
    expect(restart.processMs).toBeLessThan(RESTART_WITHIN_MS);
    expect(restart.servingMs).toBeLessThan(SERVING_AGAIN_WITHIN_MS);
    expect(slowestHealthMs).toBeLessThan(HEALTH_WITHIN_MS);
    expect(healthFailures).toBe(0);
    expect(stalledSeconds).toBe(0);
    expect(safeMode.safeModeReason).toMatch(/brought Node-RED down 2 times .* no heartbeat for [\d.]+ s/);
    expect(gateway.audit.list({ limit: 10 }).find((entry) => entry.action === "node-red.safe-mode")).toMatchObject({
      actor: "system",
      target: safeMode.flowsRevision,
      details: { reason: safeMode.safeModeReason },
    });
    // In safe mode the editor serves the flows, stopped, for the integrator to fix.
    expect((await client.request("/flows/flows", { cookie: integrator })).status).toBe(200);
  }, 120_000);

  it("restarts it as well for a loop in a timer callback or in On Start code", async ({ annotate }) => {
    const watching = watchGateway();
    const inTimer = await restartAfterDeploying(
      functionFlow("timer-loop", { func: "setTimeout(() => { while (true) {} }, 0);\nreturn msg;" }),
    );
    await until("safe mode", async () => (await nodeRed()).state === "safe-mode");
    const inOnStart = await restartAfterDeploying(functionFlow("on-start-loop", { initialize: "while (true) {}" }));
    await until("safe mode", async () => (await nodeRed()).state === "safe-mode");
    const { slowestHealthMs, stalledSeconds } = await watching();
    await annotate(
      `timer loop: new process after ${inTimer.processMs} ms, serving after ${inTimer.servingMs} ms; ` +
        `On Start loop: ${inOnStart.processMs} ms, ${inOnStart.servingMs} ms; slowest /healthz ${slowestHealthMs.toFixed(0)} ms`,
    );
    for (const restart of [inTimer, inOnStart]) {
      expect(restart.processMs).toBeLessThan(RESTART_WITHIN_MS);
      expect(restart.servingMs).toBeLessThan(SERVING_AGAIN_WITHIN_MS);
    }
    expect(slowestHealthMs).toBeLessThan(HEALTH_WITHIN_MS);
    expect(stalledSeconds).toBe(0);
  }, 180_000);

  it("starts flows that keep crashing Node-RED in safe mode, and the audit log says why", async () => {
    await restartAfterDeploying(
      functionFlow("crash", { func: 'Promise.reject(new Error("nobody handles this"));\nreturn msg;' }),
    );
    const status = await until("safe mode", async () => {
      const current = await nodeRed();
      return current.state === "safe-mode" ? current : undefined;
    });
    expect(status.safeModeReason).toMatch(/brought Node-RED down 2 times .*; last: exited with code 1$/);
    const restarts = gateway.audit.list({ limit: 20 }).filter((entry) => entry.action === "node-red.restart");
    expect(restarts[0]).toMatchObject({ actor: "system", details: { reason: "exited with code 1", safeMode: true } });
    // A fixed deploy runs again.
    expect((await deploy(functionFlow("fixed", { func: "return msg;" }))).status).toBeLessThan(300);
    await until("flows running", async () => (await nodeRed()).state === "running");
  }, 120_000);
});

describe("flows that listen, loaded from an earlier deploy", () => {
  let earlier: Gateway;
  let earlierDir: string;
  let tcpPort: number;
  const lines: string[] = [];

  beforeAll(async () => {
    earlierDir = mkdtempSync(join(tmpdir(), "gateway-node-red-listeners-"));
    mkdirSync(join(earlierDir, "node-red"));
    tcpPort = await freePort();
    const udpPort = await freePort();
    const flows = flowTab("old-tab", "from before", [
      { id: "old-tcp", type: "tcp in", server: "server", ...binaryStream(tcpPort) },
      { id: "old-udp", type: "udp in", port: String(udpPort), datatype: "buffer", multicast: "false", ipv: "udp4", wires: [[]] },
    ]);
    writeFileSync(join(earlierDir, "node-red", "flows.json"), JSON.stringify(flows));
    earlier = await startGateway(
      parseGatewayConfig({
        dataDir: earlierDir,
        mqtt: { port: 0 },
        http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: true } },
      }),
      pino({ level: "info" }, { write: (line: string) => lines.push(line) }),
    );
  }, 60_000);

  afterAll(async () => {
    await earlier?.stop();
    rmSync(earlierDir, { recursive: true, force: true });
  });

  it("refuses them in Node-RED's process, which says so in the gateway's log", async () => {
    expect(earlier.nodeRedRunning).toBe(true);
    expect(await connects(tcpPort)).toBe(false);
    await until("the refusals in the log", () => {
      const refusals = lines.filter(
        (line) => line.includes("listening for network connections is off") || line.includes("ERR_LISTENING_OFF"),
      );
      return refusals.some((line) => line.includes('"old-tcp"')) && refusals.some((line) => line.includes('"old-udp"'));
    });
  });
});
