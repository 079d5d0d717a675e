import { join } from "node:path";
import { dataAnchorAbi } from "@intelledger/contracts";
import { loadOrCreateGatewayIdentity, parseGatewayConfig, registerDevicesOffline } from "@intelledger/gateway";
import { freePort } from "@intelledger/test-support";
import { Contract, JsonRpcProvider, type EventLog } from "ethers";
import { describe, expect, it } from "vitest";
import { ChildService } from "./child-service.js";
import { checkDelivery } from "./delivery-check.js";
import { DeviceFleet } from "./device-fleet.js";
import { readRelayDatabase } from "./relay-database-reader.js";
import { gatewayTestConfig, relayTestConfig, writeConfig } from "./service-configs.js";
import { KILL_ROUNDS, waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

describe("SIGKILL the relay during upload and anchoring", () => {
  const rig = useSystemTestRig("edge-kill-relay-");
  const { dir } = rig;

  it(
    `stores every acknowledged reading once and anchors every batch once, over ${KILL_ROUNDS} kills`,
    async () => {
      const { chain, tls } = await rig.startChainWithPki();
      const relayPort = await freePort();
      const relayDir = join(dir, "relay");
      const relay = rig.own(
        new ChildService(
          "relay",
          writeConfig(dir, "relay", relayTestConfig(relayDir, relayPort, tls.relay, chain)),
          join(dir, "relay.log"),
        ),
        (child) => child.close(),
      );
      await relay.start();

      const gatewayDir = join(dir, "gateway");
      const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
      const fleet = new DeviceFleet(8, "kill-relay");
      const logins = registerDevicesOffline(gatewayDir, fleet.devices);
      const config = gatewayTestConfig(gatewayDir, 0, relayPort, await tls.issueGatewayCertificate(gatewayId));
      const gateway = await rig.startGateway(parseGatewayConfig(config));
      rig.own(fleet, (devices) => devices.stop());
      await fleet.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, logins);
      fleet.start({ intervalMs: 5 });

      for (let round = 0; round < KILL_ROUNDS; round++) {
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1_300));
        await relay.stop("SIGKILL");
        await relay.start();
      }
      await fleet.drain();
      await waitFor(
        () => {
          const snapshot = gateway.snapshot();
          return snapshot.backlog.batches === 0 && snapshot.readingsSealed === snapshot.readingsStored;
        },
        // The backlog of fifty outages, drained while other suites share the cores: time is not what is tested.
        240_000,
        "the gateway to drain",
      );
      // Then every stored batch must end up in a confirmed anchor.
      const relayDb = join(relayDir, "relay.sqlite");
      await waitFor(
        () => {
          const record = readRelayDatabase(relayDb);
          return record.unanchoredBatches === 0 && record.anchors.every((anchor) => anchor.status === "confirmed");
        },
        120_000,
        "every batch to be anchored",
      );
      expect(await relay.stop("SIGTERM")).toBe(0);

      const record = readRelayDatabase(relayDb);
      const report = checkDelivery(fleet, record.readings);
      console.log(
        `relay killed ${KILL_ROUNDS} times: ${report.ackedFrames} frames acknowledged, ${report.relayReadings} readings stored, ${record.anchors.length} anchors`,
      );
      expect(report.ackedFrames).toBeGreaterThan(KILL_ROUNDS * 10);
      expect(report.missing).toEqual([]);
      expect(report.duplicated).toEqual([]);

      // Each batch sits in exactly one anchor, and each anchor's root went on chain exactly once.
      const batchesInAnchors = [...record.batchesPerAnchor.values()].reduce((sum, count) => sum + count, 0);
      expect(batchesInAnchors).toBe(record.batches);
      const provider = new JsonRpcProvider(chain.chain.rpcUrl, undefined, { staticNetwork: true });
      const contract = new Contract(chain.contractAddress, dataAnchorAbi, provider);
      const events = (await contract.queryFilter(contract.getEvent("RootAnchored"))) as EventLog[];
      provider.destroy();
      const onChain = events.map((event) => String(event.args[0]).toLowerCase()).sort();
      expect(onChain).toEqual(record.anchors.map((anchor) => anchor.root).sort());
    },
    30 * 60_000,
  );
});
