import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type Gateway, parseGatewayConfig, startGateway } from "@intelledger/gateway";
import { freePort } from "@intelledger/test-support";
import { seedBacklog } from "../../gateway/test/backlog-seeder.js";
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";
import { ChildService } from "./child-service.js";
import { readRelayDatabase } from "./relay-database-reader.js";
import { relayTestConfig, writeConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";

/** Gateways reconnecting at once; the acceptance bar is 200. */
const GATEWAYS = Number(process.env.EDGE_FLEET_GATEWAYS ?? 200);
const BATCHES_EACH = 5;
const BATCH_SIZE = 64;
const logger = pino({ level: "silent" });

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describe("a fleet reconnecting after an outage", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-fleet-"));
  let chain: AnchoredDevChain | undefined;
  let relay: ChildService | undefined;
  const gateways: Gateway[] = [];

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    relay?.close();
    await chain?.chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `drains ${GATEWAYS} backlogs at once while the relay stays responsive`,
    async () => {
      chain = await startAnchoredDevChain();
      const tls = await provisionTls(join(dir, "tls"));
      const relayPort = await freePort();
      const configs = [];
      for (let i = 0; i < GATEWAYS; i++) {
        const dataDir = join(dir, `gateway-${i}`);
        const { gatewayId } = await seedBacklog({
          dataDir,
          readings: BATCHES_EACH * BATCH_SIZE,
          batchSize: BATCH_SIZE,
          deviceCount: 4,
        });
        configs.push(
          parseGatewayConfig({
            dataDir,
            mqtt: { host: "127.0.0.1", port: 0 },
            // Two hundred gateways share this machine's two cores; their provers are not what is tested.
            proving: { enabled: false },
            relay: {
              address: `127.0.0.1:${relayPort}`,
              serverName: "localhost",
              ...(await tls.issueGatewayCertificate(gatewayId)),
              reconnect: { initialDelayMs: 200, maxDelayMs: 5_000 },
            },
          }),
        );
      }
      const total = GATEWAYS * BATCHES_EACH * BATCH_SIZE;

      // The relay (a process of its own, as in production) comes back, and the whole fleet reconnects together.
      const relayDb = join(dir, "relay", "relay.sqlite");
      relay = new ChildService(
        "relay",
        writeConfig(dir, "relay", relayTestConfig(join(dir, "relay"), relayPort, tls.relay, chain)),
        join(dir, "relay.log"),
      );
      await relay.start();
      const probeIdentity = Wallet.createRandom();
      const probeTls = await tls.issueGatewayCertificate(probeIdentity.address);
      const probe = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          join(import.meta.dirname, "heartbeat-probe.ts"),
          `127.0.0.1:${relayPort}`,
          probeTls.caCertFile,
          probeTls.certFile,
          probeTls.keyFile,
          probeIdentity.address,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let probeOutput = "";
      probe.stdout.on("data", (chunk: Buffer) => (probeOutput += chunk.toString()));
      const probeExited = once(probe, "exit");
      await waitFor(() => probeOutput.startsWith("ready\n"), 120_000, "the heartbeat probe to start");

      const reconnectStarted = performance.now();
      gateways.push(...(await Promise.all(configs.map((config) => startGateway(config, logger)))));
      await waitFor(
        () => gateways.every((gateway) => gateway.snapshot().backlog.batches === 0),
        600_000,
        "every backlog to drain",
      );
      const drainSeconds = (performance.now() - reconnectStarted) / 1000;
      probe.kill("SIGTERM");
      await probeExited;
      const latencies = JSON.parse(probeOutput.slice("ready\n".length)) as number[];
      expect(await relay.stop()).toBe(0);
      console.log(
        `${GATEWAYS} gateways, ${total} readings drained in ${drainSeconds.toFixed(1)} s; ` +
          `heartbeat latency during the storm p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, ` +
          `max ${Math.max(...latencies).toFixed(0)} ms over ${latencies.length} probes`,
      );
      const record = readRelayDatabase(relayDb);
      expect(record.batches).toBe(GATEWAYS * BATCHES_EACH);
      expect(record.readings.length).toBe(total);
      // Responsive: heartbeats keep being answered through the storm; the bounds are wide
      // enough for a loaded machine, narrow enough to catch an event loop held for seconds.
      // The figures printed above are what to compare between runs.
      expect(percentile(latencies, 95)).toBeLessThan(3_000);
      expect(Math.max(...latencies)).toBeLessThan(10_000);
    },
    30 * 60_000,
  );
});
