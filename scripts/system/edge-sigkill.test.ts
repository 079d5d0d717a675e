import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRelayConfig, startRelay, type Relay } from "@intelledger/cloud-relay";
import { loadOrCreateGatewayIdentity, registerDevicesOffline } from "@intelledger/gateway";
import { freePort } from "@intelledger/test-support";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";
import { ChildService } from "./child-service.js";
import { checkDelivery } from "./delivery-check.js";
import { DeviceFleet } from "./device-fleet.js";

import { readRelayDatabase } from "./relay-database-reader.js";
import { waitFor } from "./soak-helpers.js";
import { gatewayTestConfig, relayTestConfig, writeConfig } from "./service-configs.js";

/** How many times the gateway is killed; the acceptance bar is 50. */
const ROUNDS = Number(process.env.EDGE_KILL_ROUNDS ?? 50);
const SAMPLES_PER_FRAME = 3;

describe("SIGKILL the gateway during ingest and upload", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-kill-gateway-"));
  let chain: AnchoredDevChain | undefined;
  let relay: Relay | undefined;
  let gateway: ChildService | undefined;
  let fleet: DeviceFleet | undefined;

  afterAll(async () => {
    await fleet?.stop();
    gateway?.close();
    await relay?.stop();
    await chain?.chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `loses no acknowledged reading and delivers each exactly once, over ${ROUNDS} kills`,
    async () => {
      chain = await startAnchoredDevChain();
      const tls = await provisionTls(join(dir, "tls"));
      relay = await startRelay(
        parseRelayConfig(relayTestConfig(join(dir, "relay"), 0, tls.relay, chain)),
        pino({ level: "silent" }),
      );

      const gatewayDir = join(dir, "gateway");
      const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
      const mqttPort = await freePort();
      const config = writeConfig(
        dir,
        "gateway",
        gatewayTestConfig(gatewayDir, mqttPort, relay.port, await tls.issueGatewayCertificate(gatewayId)),
      );
      fleet = new DeviceFleet(8, "kill-gw");
      const logins = registerDevicesOffline(gatewayDir, fleet.devices);
      gateway = new ChildService("gateway", config, join(dir, "gateway.log"));

      await gateway.start();
      await fleet.connect(`mqtt://127.0.0.1:${mqttPort}`, logins);
      fleet.start({ intervalMs: 5 });
      for (let round = 0; round < ROUNDS; round++) {
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1_300));
        await gateway.stop("SIGKILL");
        await gateway.start();
      }
      // Let the devices' last frames in, then everything drain to the relay.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await fleet.drain();
      const gatewayDb = join(gatewayDir, "gateway.sqlite");
      await waitFor(
        () => {
          const db = new Database(gatewayDb, { readonly: true });
          try {
            const { readings } = db.prepare("SELECT count(*) AS readings FROM readings").get() as { readings: number };
            const { unacked } = db.prepare("SELECT count(*) AS unacked FROM batches WHERE acked_at_ms IS NULL").get() as {
              unacked: number;
            };
            const { sealed } = db.prepare("SELECT coalesce(sum(reading_count), 0) AS sealed FROM batches").get() as {
              sealed: number;
            };
            return unacked === 0 && sealed === readings;
          } finally {
            db.close();
          }
        },
        60_000,
        "the gateway to drain",
      );
      expect(await gateway.stop("SIGTERM")).toBe(0);
      await relay.stop();
      relay = undefined;

      const report = checkDelivery(fleet, readRelayDatabase(join(dir, "relay", "relay.sqlite")).readings, SAMPLES_PER_FRAME);
      console.log(
        `gateway killed ${ROUNDS} times: ${report.ackedFrames} frames acknowledged (${fleet.resent} sent again after no answer), ${report.relayReadings} readings at the relay`,
      );
      expect(report.ackedFrames).toBeGreaterThan(ROUNDS * 10);
      expect(report.missing).toEqual([]);
      expect(report.duplicated).toEqual([]);
    },
    30 * 60_000,
  );
});
