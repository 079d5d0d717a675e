import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { p256PointOf } from "@intelledger/proto/p256";
import { freePort, SimulatedDevice } from "@intelledger/test-support";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { quietGatewayConfig } from "../../gateway/test/test-gateway.js";
import { GATEWAY_MIGRATIONS } from "../../gateway/src/store/migrations.js";
import { BACKLOG_FIXTURE, readingsDigest, type BacklogManifest } from "./fixtures/gateway-backlog-fixture.js";
import { waitForEverythingUploaded } from "./gateway-uploads.js";
import { readRelayDatabase } from "./relay-database-reader.js";
import { gatewayTestConfig, relayTestConfig } from "./service-configs.js";
import { useSystemTestRig } from "./system-test-rig.js";

function schemaVersionOf(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma("user_version", { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe("updating a gateway that holds a backlog, from the committed database of an earlier release", () => {
  const rig = useSystemTestRig("edge-migration-");
  const { dir } = rig;
  const devices: SimulatedDevice[] = [];

  it("migrates it, keeps the backlog and the device counters, and drains everything to the relay exactly once", async () => {
    execFileSync("tar", ["-xzf", BACKLOG_FIXTURE, "-C", dir]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BacklogManifest;
    const dataDir = join(dir, "gateway");
    const databasePath = join(dataDir, "gateway.sqlite");
    expect(schemaVersionOf(databasePath)).toBe(manifest.schemaVersion);
    expect(manifest.batches.acked).toBeLessThan(manifest.batches.sealed);
    expect(manifest.batches.sealedReadings).toBeLessThan(manifest.readings);

    const { chain, tls } = await rig.startChainWithPki("pki");
    const relayPort = await freePort();
    const config = quietGatewayConfig(dataDir, {
      ...gatewayTestConfig(dataDir, await freePort(), relayPort, await tls.issueGatewayCertificate(manifest.gatewayId)),
      proving: { enabled: true, isolation: "process" },
    });

    // The new release opens the old database with its relay still away: nothing has moved yet.
    const updated = await rig.startGateway(config);
    expect(updated.id).toBe(manifest.gatewayId);
    expect(updated.readings.count()).toBe(manifest.readings);
    expect(updated.readings.lastSeq()).toBe(manifest.lastGatewaySeq);
    expect(readingsDigest(updated.readings.between(1, manifest.lastGatewaySeq))).toBe(manifest.readingsDigest);
    expect(updated.batches.totals().acked).toBe(manifest.batches.acked);
    expect(updated.batches.totals().sealed).toBeGreaterThanOrEqual(manifest.batches.sealed);
    expect(updated.batches.proofTotals().uploaded).toBe(manifest.proofs.uploaded);
    expect(updated.batches.proofTotals().proved).toBeGreaterThanOrEqual(manifest.proofs.proved);
    for (const { deviceId, counter } of manifest.devices)
      expect(updated.devices.get(deviceId)?.lastCounter).toBe(BigInt(counter));

    // The devices were switched off with the gateway: they log in as before and go on counting.
    const brokerUrl = `mqtt://127.0.0.1:${config.mqtt.port}`;
    for (const fixture of manifest.devices) {
      const privateKey = createPrivateKey(fixture.privateKeyPem);
      const keys = { privateKey, publicKeyPoint: p256PointOf(createPublicKey(privateKey)) };
      const device = rig.own(new SimulatedDevice(fixture.deviceId, { keys, counter: fixture.counter }), (simulated) =>
        simulated.stop(),
      );
      await device.connect(brokerUrl, fixture.mqttLogin);
      devices.push(device);
    }
    // A frame the old release already took is a replay to the new one.
    const [first] = devices;
    if (!first) throw new Error("the fixture has no devices");
    const replay = new SimulatedDevice(first.deviceId, { keys: first.keys, counter: first.counter - 1 });
    await first.publishFrame(replay.nextFrameBytes());
    expect(updated.readings.count()).toBe(manifest.readings);
    for (let i = 0; i < 10; i++) for (const device of devices) await device.publishFrame();
    const samplesPerFrame = 3;
    expect(updated.readings.count()).toBe(manifest.readings + 10 * devices.length * samplesPerFrame);

    // The relay that took the first batches comes back, its ledger as it was.
    const relay = await rig.startRelay(relayTestConfig(join(dir, "relay"), relayPort, tls.relay, chain));
    await waitForEverythingUploaded(updated);
    const held = updated.readings.between(1, updated.readings.lastSeq());
    await rig.stopNow(updated);
    await rig.stopNow(relay);

    expect(schemaVersionOf(databasePath)).toBe(GATEWAY_MIGRATIONS.length);
    const record = readRelayDatabase(join(dir, "relay", "relay.sqlite"));
    expect(record.gaps).toEqual([]);
    expect(record.readings.map((reading) => reading.gatewaySeq)).toEqual(held.map((reading) => reading.gatewaySeq));
    expect(readingsDigest(record.readings)).toBe(readingsDigest(held));
  }, 900_000);
});
