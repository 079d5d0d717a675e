import { join } from "node:path";
import { loadOrCreateGatewayIdentity, parseGatewayConfig } from "@intelledger/gateway";
import { Batch, type Reading } from "@intelledger/proto/relay";
import { describe, expect, it } from "vitest";
import { DeviceFleet } from "./device-fleet.js";
import { gatewayTestConfig, relayTestConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

describe("a gateway whose clock was never set", () => {
  const rig = useSystemTestRig("edge-clock-");

  it("marks its readings time-uncertain, and the relay dates them by its own clock", async () => {
    const { chain, tls } = await rig.startChainWithPki();
    const relay = await rig.startRelay(relayTestConfig(join(rig.dir, "relay"), 0, tls.relay, chain));
    const gatewayDir = join(rig.dir, "gateway");
    const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
    // A Raspberry Pi without a real-time clock and without network time boots in 1970.
    const bootedAt = Date.now();
    const unsetClock = () => Date.now() - bootedAt;
    const gateway = await rig.startGateway(
      parseGatewayConfig(gatewayTestConfig(gatewayDir, 0, relay.port, await tls.issueGatewayCertificate(gatewayId))),
      { wallClock: unsetClock },
    );
    const fleet = rig.own(new DeviceFleet(2, "clockless"), (devices) => devices.stop());
    const registry = gateway.devices;
    const logins = fleet.devices.map((device) => {
      registry.register(device.deviceId, device.publicKeyPoint);
      return registry.issueMqttCredentials(device.deviceId);
    });
    await fleet.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, logins);
    const sentFrom = Date.now();
    fleet.start({ intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await fleet.drain();
    const sentUntil = Date.now();
    await waitFor(
      () => gateway.snapshot().readingsSealed === gateway.snapshot().readingsStored && gateway.snapshot().backlog.batches === 0,
      30_000,
    );

    expect(gateway.snapshot().ingest.timeUncertainFrames).toBe(gateway.snapshot().ingest.framesAccepted);
    const readings: Reading[] = [];
    for (let sequence = 1; ; sequence++) {
      const batch = await relay.batches.get(gatewayId, sequence);
      if (!batch) break;
      readings.push(...Batch.decode(batch.payload).readings);
    }
    expect(readings.length).toBe(gateway.snapshot().ingest.readingsAccepted);
    for (const reading of readings) {
      expect(reading.timeUncertain).toBe(true);
      expect(reading.receivedAtMs).toBeLessThan(Date.UTC(1971, 0, 1));
      const dated = await relay.boots.relayTimeOf(gatewayId, reading.receivedBoot, reading.receivedUptimeMs);
      expect(dated).toBeGreaterThanOrEqual(sentFrom - 500);
      expect(dated).toBeLessThanOrEqual(sentUntil + 500);
    }
  }, 120_000);
});
