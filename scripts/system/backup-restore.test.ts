import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadOrCreateGatewayIdentity, parseGatewayConfig } from "@intelledger/gateway";
import { freePort, SimulatedDevice } from "@intelledger/test-support";
import { describe, expect, it } from "vitest";
import { quietGatewayConfig } from "../../gateway/test/test-gateway.js";
import { gatewayTestConfig, relayTestConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../gateway/src/cli.ts");

/**
 * The gateway's command line, as a technician runs it, each option given as `--name value`;
 * its JSON answer, or its exit code and error.
 */
async function gatewayCli(
  command: string,
  options: Record<string, string>,
): Promise<{ code: number; json?: Record<string, unknown>; stderr: string }> {
  const args = [command, ...Object.entries(options).flatMap(([name, value]) => [`--${name}`, value])];
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", cli, ...args]);
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown>, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe("backing up a gateway and restoring it onto new hardware", () => {
  const rig = useSystemTestRig("edge-backup-");
  const { dir } = rig;
  const devices: SimulatedDevice[] = [];
  const logins = new Map<SimulatedDevice, { username: string; password: string }>();

  it("keeps the identity, every reading and the chain: the relay takes the restored gateway's next batches", async () => {
    const { chain, tls } = await rig.startChainWithPki("pki");
    const relay = await rig.startRelay(relayTestConfig(join(dir, "relay"), 0, tls.relay, chain));
    const dataDir = join(dir, "gateway");
    const gatewayId = loadOrCreateGatewayIdentity(dataDir).address;
    const config = quietGatewayConfig(dataDir, {
      ...gatewayTestConfig(dataDir, await freePort(), relay.port, await tls.issueGatewayCertificate(gatewayId)),
      batching: { maxReadings: 16, maxAgeMs: 100 },
    });
    const configFile = join(dir, "gateway.json");
    writeFileSync(configFile, JSON.stringify(config));
    const passphraseFile = join(dir, "passphrase");
    writeFileSync(passphraseFile, "correct horse battery staple\n", { mode: 0o600 });
    const brokerUrl = `mqtt://127.0.0.1:${config.mqtt.port}`;

    const gateway = await rig.startGateway(config);
    for (const id of ["press-01", "press-02"]) {
      const device = rig.own(new SimulatedDevice(id), (simulated) => simulated.stop());
      gateway.devices.register(id, device.publicKeyPoint);
      const login = gateway.devices.issueMqttCredentials(id);
      await device.connect(brokerUrl, login);
      devices.push(device);
      logins.set(device, login);
    }
    for (let i = 0; i < 20; i++) for (const device of devices) await device.publishFrame();
    await waitFor(() => gateway.batches.totals().sealedReadings === gateway.readings.count(), 30_000, "every reading sealed");
    await waitFor(() => gateway.batches.totals().acked === gateway.batches.totals().sealed, 30_000, "every batch acknowledged");
    const readingsBefore = gateway.readings.between(1, gateway.readings.count());

    // The backup is taken while the gateway runs, from its own command line.
    const archive = join(dir, "gateway.ilbackup");
    const backup = await gatewayCli("backup", {
      "data-dir": dataDir,
      out: archive,
      config: configFile,
      "passphrase-file": passphraseFile,
    });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.json).toMatchObject({ gatewayId, devices: 2, lastGatewaySeq: readingsBefore.length, hasConfigFile: true });
    expect(readFileSync(archive).includes(Buffer.from(gatewayId.slice(2).toLowerCase()))).toBe(false);

    // The box dies: its data folder is gone.
    await rig.stopNow(gateway);
    for (const device of devices) await device.stop();
    rmSync(dataDir, { recursive: true, force: true });

    const wrong = join(dir, "wrong-passphrase");
    writeFileSync(wrong, "not the passphrase at all");
    const refused = await gatewayCli("restore", { in: archive, "data-dir": dataDir, "passphrase-file": wrong });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/passphrase is wrong, or the backup was damaged/);

    const restoredConfig = join(dir, "restored-gateway.json");
    const restoreOptions = { in: archive, "data-dir": dataDir, "passphrase-file": passphraseFile };
    const restored = await gatewayCli("restore", { ...restoreOptions, "config-out": restoredConfig });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json).toEqual(backup.json);
    const again = await gatewayCli("restore", restoreOptions);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a gateway/);

    // New hardware: the same gateway, its devices and their counters, every reading.
    const restoredGateway = await rig.startGateway(parseGatewayConfig(JSON.parse(readFileSync(restoredConfig, "utf8"))));
    expect(restoredGateway.id).toBe(gatewayId);
    expect(restoredGateway.readings.between(1, readingsBefore.length)).toEqual(readingsBefore);
    const sealedBefore = Number(backup.json?.["lastBatchSequence"]);

    // The devices were never told: they reconnect with their logins and go on counting.
    for (const device of devices) await device.connect(brokerUrl, logins.get(device));
    for (let i = 0; i < 10; i++) for (const device of devices) await device.publishFrame();
    const samplesPerFrame = readingsBefore.length / 40;
    expect(restoredGateway.readings.count()).toBe(readingsBefore.length + 20 * samplesPerFrame);
    await waitFor(
      () => restoredGateway.batches.totals().sealedReadings === restoredGateway.readings.count(),
      30_000,
      "the new readings sealed",
    );
    await waitFor(
      () => restoredGateway.batches.totals().acked === restoredGateway.batches.totals().sealed,
      30_000,
      "the restored gateway's batches acknowledged by the relay",
    );
    expect(restoredGateway.batches.last()?.sequence).toBeGreaterThan(sealedBefore);
    expect(restoredGateway.snapshot().uplink).toMatchObject({ state: "uploading" });
  }, 480_000);
});
