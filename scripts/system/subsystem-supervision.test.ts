import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseRelayConfig, startRelay, type Relay } from "@intelledger/cloud-relay";
import { loadOrCreateGatewayIdentity, startGateway, type Gateway } from "@intelledger/gateway";
import type { BleCentral, BleLink } from "@intelledger/gateway/ble";
import { freePort, SimulatedDevice } from "@intelledger/test-support";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietGatewayConfig } from "../../gateway/test/test-gateway.js";
import { GatewayClient } from "../../gateway/test/gateway-client.js";
import { LiveClient } from "../../gateway/test/live-client.js";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";
import { readingsDigest } from "./fixtures/gateway-backlog-fixture.js";
import { readRelayDatabase } from "./relay-database-reader.js";
import { gatewayTestConfig, relayTestConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";

/** A subsystem as GET /api/status reports it (docs/appliance.md, Healing). */
interface Subsystem {
  name: string;
  state: string;
  restarts: number;
  attempt?: number;
  attempts?: number;
  reason?: string;
}

/**
 * The BLE adapter, the one piece of hardware these machines lack: it can be pulled out
 * (BlueZ then fails the scan and refuses to start until it is plugged in again).
 */
class PullableBleAdapter implements BleCentral {
  starts = 0;
  private present = true;
  private failed: ((error: Error) => void) | undefined;

  start(_onLink: (link: BleLink) => void, failed?: (error: Error) => void): Promise<void> {
    this.starts++;
    if (!this.present) return Promise.reject(new Error("org.bluez.Error.NotReady: Resource Not Ready"));
    this.failed = failed;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.failed = undefined;
    return Promise.resolve();
  }

  pull(): void {
    this.present = false;
    this.failed?.(new Error("the BLE adapter hci0 was removed"));
  }

  plugIn(): void {
    this.present = true;
  }
}

/** A relay host that takes TCP connections and never says a word. */
async function silentRelay(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Sends a frame every `intervalMs`, each awaited until the gateway acknowledged it, until stopped. */
function keepSending(device: SimulatedDevice, intervalMs: number): () => Promise<void> {
  let sending = true;
  const loop = (async () => {
    while (sending) {
      await device.publishFrame();
      await sleep(intervalMs);
    }
  })();
  return async () => {
    sending = false;
    await loop;
  };
}

/** Child processes of this one running the prover. */
function proverPids(): number[] {
  const lines = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" }).split("\n");
  return lines.filter((line) => line.includes("prover-worker")).map((line) => Number.parseInt(line.trim(), 10));
}

describe("a gateway whose subsystems fail one by one", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-supervision-"));
  const logger = pino({ level: "silent" });
  const adapter = new PullableBleAdapter();
  const devices = [new SimulatedDevice("press-01"), new SimulatedDevice("press-02")];
  const stopSending: (() => Promise<void>)[] = [];
  const live = new LiveClient();
  let silent: Awaited<ReturnType<typeof silentRelay>>;
  let gateway: Gateway;
  let client: GatewayClient;
  let token: string;
  let chain: AnchoredDevChain | undefined;
  let relay: Relay | undefined;
  let tls: Awaited<ReturnType<typeof provisionTls>>;

  const statusOf = async (name: string): Promise<Subsystem> => {
    const response = await client.request("/api/status", { token });
    const { subsystems } = (await response.json()) as { subsystems: Subsystem[] };
    const found = subsystems.find((subsystem) => subsystem.name === name);
    if (!found) throw new Error(`GET /api/status has no subsystem ${name}`);
    return found;
  };
  const untilState = async (name: string, matches: (subsystem: Subsystem) => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = await statusOf(name);
      if (matches(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
      await sleep(100);
    }
  };
  const liveStates = (name: string) =>
    live
      .of("subsystem")
      .map(({ data }) => data as unknown as Subsystem)
      .filter((subsystem) => subsystem.name === name);

  beforeAll(async () => {
    // Node-RED runs as a user of its own where the gateway runs as root: it must pass through here.
    chmodSync(dir, 0o711);
    silent = await silentRelay();
    tls = await provisionTls(join(dir, "pki"));
    const dataDir = join(dir, "gateway");
    const gatewayId = loadOrCreateGatewayIdentity(dataDir).address;
    // A file where Node-RED's folder belongs: Node-RED cannot start until it is moved away.
    writeFileSync(join(dataDir, "node-red"), "");
    const config = quietGatewayConfig(dataDir, {
      ...gatewayTestConfig(dataDir, await freePort(), silent.port, await tls.issueGatewayCertificate(gatewayId)),
      http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: true } },
      proving: { enabled: true, isolation: "process" },
      batching: { maxReadings: 256, maxAgeMs: 3_000 },
      supervision: { initialDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 3, degradedRetryMs: 4_000, probeIntervalMs: 200 },
    });
    gateway = await startGateway(config, logger, { bleCentral: adapter });
    client = new GatewayClient(gateway.httpPort);
    token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "supervision test");
    await live.open(`http://127.0.0.1:${gateway.httpPort}/api/live?types=subsystem`, token);
    for (const device of devices) {
      gateway.devices.register(device.deviceId, device.publicKeyPoint);
      await device.connect(`mqtt://127.0.0.1:${config.mqtt.port}`, gateway.devices.issueMqttCredentials(device.deviceId));
      stopSending.push(keepSending(device, 200));
    }
  });

  afterAll(async () => {
    for (const stop of stopSending) await stop().catch(() => undefined);
    for (const device of devices) await device.stop();
    await live.close();
    await gateway?.stop();
    await relay?.stop();
    await silent?.close();
    await chain?.chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restarts a transport whose adapter failed and leaves it degraded with the reason while it stays gone", async () => {
    expect(await statusOf("ble")).toMatchObject({ state: "running", restarts: 0 });
    const readingsBefore = gateway.readings.count();
    adapter.pull();
    const degraded = await untilState("ble", (s) => s.state === "degraded", 30_000, "BLE degraded");
    expect(degraded).toMatchObject({ attempts: 3, reason: "org.bluez.Error.NotReady: Resource Not Ready", restarts: 3 });
    await waitFor(() => liveStates("ble").some((s) => s.state === "degraded"), 10_000, "the live stream telling BLE is degraded");
    expect(liveStates("ble").map((s) => [s.state, s.attempt ?? s.attempts, s.reason])).toEqual(
      expect.arrayContaining([
        ["restarting", 1, "the BLE adapter hci0 was removed"],
        ["restarting", 3, "org.bluez.Error.NotReady: Resource Not Ready"],
        ["degraded", 3, "org.bluez.Error.NotReady: Resource Not Ready"],
      ]),
    );
    const metrics = await (await client.request("/metrics", { token })).text();
    expect(metrics).toMatch(/^intelledger_gateway_subsystem_degraded\{subsystem="ble"\} 1$/m);
    expect(metrics).toMatch(/^intelledger_gateway_subsystem_running\{subsystem="mqtt"\} 1$/m);
    // Ingest went on over MQTT, and the gateway stays healthy for the service watchdog.
    expect(gateway.readings.count()).toBeGreaterThan(readingsBefore);
    expect(gateway.health()).toMatchObject({ ingestRunning: true, databaseWritable: true });

    adapter.plugIn();
    await untilState("ble", (s) => s.state === "running", 30_000, "BLE running again");
    expect(adapter.starts).toBe(5);
  }, 90_000);

  it("restarts the provers after one is killed, and proves the batch it was proving", async () => {
    await waitFor(() => proverPids().length > 0 && gateway.batches.totals().sealed > 0, 60_000, "a prover running");
    const [pid] = proverPids();
    const provedBefore = gateway.batches.proofTotals().proved;
    process.kill(pid ?? 0, "SIGKILL");
    await untilState("prover", (s) => s.state === "running" && s.restarts === 1, 30_000, "the provers restarted");
    expect(liveStates("prover")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ state: "restarting", attempt: 1, reason: "a prover was killed by SIGKILL" }),
      ]),
    );
    expect(proverPids()).not.toContain(pid);
    await waitFor(() => gateway.batches.proofTotals().proved > provedBefore, 180_000, "a batch proved after the restart");
  }, 300_000);

  it("retries Node-RED that cannot start, leaves it degraded with the reason, and runs it once the cause is gone", async () => {
    const degraded = await untilState("node-red", (s) => s.state === "degraded", 60_000, "Node-RED degraded");
    expect(degraded.reason).toBe(
      `Node-RED did not start: EEXIST: file already exists, mkdir '${join(dir, "gateway", "node-red")}'`,
    );
    expect(gateway.nodeRedRunning).toBe(false);
    rmSync(join(dir, "gateway", "node-red"));
    // Node-RED's first start takes a while on a loaded machine.
    await untilState("node-red", (s) => s.state === "running", 300_000, "Node-RED running");
    expect(gateway.nodeRedRunning).toBe(true);
    await waitFor(
      () => liveStates("node-red").some((s) => s.state === "running"),
      10_000,
      "the live stream telling Node-RED runs",
    );
    expect(liveStates("node-red").map((s) => s.state)).toEqual(expect.arrayContaining(["degraded", "starting", "running"]));
  }, 420_000);

  it("reports an uplink whose relay never answers as restarting with the reason, and drains everything exactly once once a relay answers", async () => {
    const wedged = await untilState(
      "uplink",
      (s) => s.state === "restarting" && (s.attempt ?? 0) >= 2,
      60_000,
      "uplink retrying",
    );
    expect(wedged.reason).toMatch(/DEADLINE_EXCEEDED|Deadline exceeded/);
    expect(gateway.batches.totals().acked).toBe(0);

    // The real relay takes the silent one's place.
    const port = silent.port;
    await silent.close();
    chain = await startAnchoredDevChain();
    relay = await startRelay(parseRelayConfig(relayTestConfig(join(dir, "relay"), port, tls.relay, chain)), logger);
    for (const stop of stopSending.splice(0)) await stop();
    await waitFor(() => gateway.batches.totals().sealedReadings === gateway.readings.count(), 60_000, "every reading sealed");
    await waitFor(() => gateway.batches.totals().acked === gateway.batches.totals().sealed, 120_000, "every batch taken");
    expect(await statusOf("uplink")).toMatchObject({ state: "running" });

    // Every frame a device had acknowledged is stored once, and the relay holds every reading once.
    const stored = gateway.readings.between(1, gateway.readings.lastSeq());
    for (const device of devices) {
      const counters = stored
        .filter((reading) => reading.deviceId === device.deviceId)
        .map((reading) => Number(reading.frameCounter));
      expect(new Set(counters).size).toBe(device.counter);
      expect(counters).toHaveLength(device.counter * 3);
    }
    await relay.stop();
    relay = undefined;
    const record = readRelayDatabase(join(dir, "relay", "relay.sqlite"));
    expect(record.gaps).toEqual([]);
    expect(record.readings.map((reading) => reading.gatewaySeq)).toEqual(stored.map((reading) => reading.gatewaySeq));
    expect(readingsDigest(record.readings)).toBe(readingsDigest(stored));
  }, 300_000);
});
