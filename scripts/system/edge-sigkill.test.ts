import { join } from "node:path";
import { loadOrCreateGatewayIdentity, registerDevicesOffline } from "@intelledger/gateway";
import { freePort } from "@intelledger/test-support";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ChildService } from "./child-service.js";
import { checkDelivery } from "./delivery-check.js";
import { DeviceFleet } from "./device-fleet.js";
import { readRelayDatabase } from "./relay-database-reader.js";
import { gatewayTestConfig, relayTestConfig, writeConfig } from "./service-configs.js";
import { KILL_ROUNDS, waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

describe("SIGKILL the gateway during ingest and upload", () => {
  const rig = useSystemTestRig("edge-kill-gateway-");
  const { dir } = rig;

  it(
    `loses no acknowledged reading and delivers each exactly once, over ${KILL_ROUNDS} kills`,
    async () => {
      const { chain, tls } = await rig.startChainWithPki();
      const relay = await rig.startRelay(relayTestConfig(join(dir, "relay"), 0, tls.relay, chain));

      const gatewayDir = join(dir, "gateway");
      const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
      const mqttPort = await freePort();
      const config = writeConfig(
        dir,
        "gateway",
        gatewayTestConfig(gatewayDir, mqttPort, relay.port, await tls.issueGatewayCertificate(gatewayId)),
      );
      const gateway = rig.own(new ChildService("gateway", config, join(dir, "gateway.log")), (child) => child.close());
      const fleet = rig.own(new DeviceFleet(8, "kill-gw"), (devices) => devices.stop());
      const logins = registerDevicesOffline(gatewayDir, fleet.devices);

      await gateway.start();
      await fleet.connect(`mqtt://127.0.0.1:${mqttPort}`, logins);
      fleet.start({ intervalMs: 5 });
      for (let round = 0; round < KILL_ROUNDS; round++) {
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
      await rig.stopNow(relay);

      const report = checkDelivery(fleet, readRelayDatabase(join(dir, "relay", "relay.sqlite")).readings);
      console.log(
        `gateway killed ${KILL_ROUNDS} times: ${report.ackedFrames} frames acknowledged (${fleet.resent} sent again after no answer), ${report.relayReadings} readings at the relay`,
      );
      expect(report.ackedFrames).toBeGreaterThan(KILL_ROUNDS * 10);
      expect(report.missing).toEqual([]);
      expect(report.duplicated).toEqual([]);
    },
    30 * 60_000,
  );
});
