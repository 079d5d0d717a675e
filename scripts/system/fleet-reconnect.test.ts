import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metadata } from "@grpc/grpc-js";
import { parseRelayConfig, startRelay, type Relay } from "@intelledger/cloud-relay";
import { createRelayClient, freePort, type Gateway, parseGatewayConfig, seedBacklog, startGateway } from "@intelledger/gateway";
import { Wallet } from "ethers";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";

import { relayTestConfig } from "./service-configs.js";
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
  let relay: Relay | undefined;
  const gateways: Gateway[] = [];

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await relay?.stop();
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

      // The relay comes back, and the whole fleet reconnects together.
      relay = await startRelay(parseRelayConfig(relayTestConfig(join(dir, "relay"), relayPort, tls.relay, chain)), logger);
      const probeIdentity = Wallet.createRandom();
      const probe = createRelayClient({
        address: `127.0.0.1:${relayPort}`,
        serverName: "localhost",
        ...(await tls.issueGatewayCertificate(probeIdentity.address)),
      });
      const latencies: number[] = [];
      let probing = true;
      const probeLoop = (async () => {
        while (probing) {
          const started = performance.now();
          await new Promise<void>((resolve, reject) =>
            probe.heartbeat(
              {
                gatewayId: probeIdentity.address,
                sentAtMs: Date.now(),
                backlogBatches: 0,
                backlogReadings: 0,
                boot: 0,
                uptimeMs: 0,
              },
              new Metadata(),
              { deadline: Date.now() + 30_000 },
              (error) => (error ? reject(error) : resolve()),
            ),
          );
          latencies.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();

      const reconnectStarted = performance.now();
      gateways.push(...(await Promise.all(configs.map((config) => startGateway(config, logger)))));
      let peakStreams = 0;
      const live = relay;
      await waitFor(
        () => {
          peakStreams = Math.max(peakStreams, live.snapshot().openUploadStreams);
          return live.snapshot().stored.readings === total;
        },
        600_000,
        "every backlog to drain",
      );
      const drainSeconds = (performance.now() - reconnectStarted) / 1000;
      probing = false;
      await probeLoop;
      probe.close();

      const snapshot = relay.snapshot();
      console.log(
        `${GATEWAYS} gateways, ${total} readings drained in ${drainSeconds.toFixed(1)} s; ` +
          `heartbeat latency during the storm p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, ` +
          `max ${Math.max(...latencies).toFixed(0)} ms over ${latencies.length} probes; peak open upload streams ${peakStreams}`,
      );
      expect(snapshot.stored.gateways).toBe(GATEWAYS + 1);
      expect(snapshot.uploads.rejected).toBe(0);
      expect(gateways.every((gateway) => gateway.snapshot().backlog.batches === 0)).toBe(true);
      // Responsive: a heartbeat never waited behind the storm for more than a couple of seconds.
      expect(percentile(latencies, 99)).toBeLessThan(2_000);
    },
    30 * 60_000,
  );
});
