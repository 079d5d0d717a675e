import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRelayConfig, startRelay, type Relay } from "@intelledger/cloud-relay";
import { loadOrCreateGatewayIdentity, parseGatewayConfig, startGateway, type Gateway } from "@intelledger/gateway";
import { Batch, type Reading } from "@intelledger/proto/relay";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";
import { DeviceFleet } from "./device-fleet.js";
import { gatewayTestConfig, relayTestConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";

describe("a gateway whose clock was never set", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-clock-"));
  let chain: AnchoredDevChain | undefined;
  let relay: Relay | undefined;
  let gateway: Gateway | undefined;
  let fleet: DeviceFleet | undefined;

  afterAll(async () => {
    await fleet?.stop();
    await gateway?.stop();
    await relay?.stop();
    await chain?.chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("marks its readings time-uncertain, and the relay dates them by its own clock", async () => {
    chain = await startAnchoredDevChain();
    const tls = await provisionTls(join(dir, "tls"));
    relay = await startRelay(
      parseRelayConfig(relayTestConfig(join(dir, "relay"), 0, tls.relay, chain)),
      pino({ level: "silent" }),
    );
    const gatewayDir = join(dir, "gateway");
    const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
    // A Raspberry Pi without a real-time clock and without network time boots in 1970.
    const bootedAt = Date.now();
    const unsetClock = () => Date.now() - bootedAt;
    gateway = await startGateway(
      parseGatewayConfig(gatewayTestConfig(gatewayDir, 0, relay.port, await tls.issueGatewayCertificate(gatewayId))),
      pino({ level: "silent" }),
      { wallClock: unsetClock },
    );
    fleet = new DeviceFleet(2, "clockless");
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
    const live = gateway;
    await waitFor(
      () => live.snapshot().readingsSealed === live.snapshot().readingsStored && live.snapshot().backlog.batches === 0,
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
