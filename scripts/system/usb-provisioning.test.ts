import { provisionAnswer } from "@intelledger/test-support/provisioning-answer";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseGatewayConfig, startGateway } from "@intelledger/gateway";
import { PtyPair, rejectionOf } from "@intelledger/test-support";
import { CommandResult, DeviceMessage, GatewayMessage } from "@intelledger/proto/device";
import { provisionOverSerial, ProvisioningError, type ProvisioningSettings } from "@intelledger/proto/provisioning";
import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { describe, expect, it } from "vitest";
import { DeviceSimulatorProcess } from "../demo/device-simulator.js";
import { SimulatorSuite } from "./simulator-suite.js";
import { waitFor } from "./soak-helpers.js";

const logger = pino({ level: "silent" });
const suite = new SimulatorSuite();

/** A P-256 public point, as a gateway's command key is. */
function commandKey(): Uint8Array {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  return Uint8Array.from([4, ...Buffer.from(jwk.x ?? "", "base64url"), ...Buffer.from(jwk.y ?? "", "base64url")]);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A socat cable and a simulator booting unprovisioned on its device end. */
async function unprovisionedSimulator(extra: string[] = []) {
  suite.folder("usb-provisioning-");
  const pty = await PtyPair.open(suite.dir);
  suite.defer(() => pty.close());
  const stateDir = join(suite.dir, "state");
  const simulator = DeviceSimulatorProcess.start(suite.binary, [
    "--provision",
    "--state-dir",
    stateDir,
    "--serial",
    pty.devicePath,
    "--interval-ms",
    "200",
    "--answer-timeout-ms",
    "500",
    ...extra,
  ]);
  suite.defer(() => simulator.stop());
  await simulator.next((event) => event.event === "awaiting_provisioning");
  return { pty, simulator, stateDir };
}

function settings(deviceId: string, gatewayCommandKey = commandKey()): ProvisioningSettings {
  return { deviceId, gatewayCommandKey, samplingIntervalMs: 200, link: { kind: "serial" } };
}

/** The typed error a provisioning call rejected with. */
const failure = (promise: Promise<unknown>) => rejectionOf(promise, ProvisioningError);

describe("USB provisioning against the firmware's simulator over a socat pty", () => {
  it("provisions a device that booted without an identity; it then signs its frames for the gateway it was given", async () => {
    const { pty, simulator, stateDir } = await unprovisionedSimulator();
    // The gateway's command key comes from its data folder; learn it, then free the port for the technician.
    const gatewayDir = join(suite.dir, "gateway");
    const probe = await startGateway(parseGatewayConfig({ dataDir: gatewayDir, mqtt: { port: 0 }, http: { port: 0 } }), logger);
    const gatewayKey = probe.commandPublicKey;
    await probe.stop();

    const device = await provisionOverSerial(pty.gatewayPath, settings("prov-01", gatewayKey));
    expect(device.deviceId).toBe("prov-01");
    expect(device.firmwareVersion).toBe("sim-1.0.0");
    expect(hex(device.publicKey)).toBe(DeviceSimulatorProcess.publicKey(suite.binary, "prov-01", stateDir));
    const started = await simulator.next((event) => event.event === "started" && event.deviceId === "prov-01");
    expect(started).toMatchObject({ provisioned: true, transport: "serial", publicKey: hex(device.publicKey) });

    const gateway = await startGateway(
      parseGatewayConfig({
        dataDir: gatewayDir,
        mqtt: { port: 0 },
        http: { port: 0 },
        serial: { ports: [pty.gatewayPath], rescanIntervalMs: 100 },
      }),
      logger,
    );
    suite.defer(() => gateway.stop());
    gateway.devices.register(device.deviceId, device.publicKey);
    await waitFor(() => gateway.readings.count() >= 9, 60_000, "readings of the provisioned device");
    expect(gateway.snapshot().ingest.rejected).toMatchObject({ bad_signature: 0, unknown_device: 0, malformed: 0 });
    const outcome = await gateway.sendCommand("prov-01", { $case: "setSamplingInterval", value: { intervalMs: 300 } });
    expect(outcome.result).toBe(CommandResult.COMMAND_RESULT_APPLIED);
  }, 180_000);

  it("keeps a provisioned device locked until its provisioning button is pressed", async () => {
    const { pty, simulator } = await unprovisionedSimulator();
    const first = settings("prov-02");
    await provisionOverSerial(pty.gatewayPath, first, { nonce: new Uint8Array(32).fill(7) });
    await simulator.next((event) => event.event === "started" && event.deviceId === "prov-02");

    const takeover = await failure(provisionOverSerial(pty.gatewayPath, settings("stranger-01")));
    expect(takeover.code).toBe("refused");
    expect(takeover.details).toMatchObject({ result: "locked", deviceId: "prov-02" });

    // The same request again (its answer was lost) is answered again, and changes nothing.
    const again = await provisionOverSerial(pty.gatewayPath, first, { nonce: new Uint8Array(32).fill(7) });
    expect(again.deviceId).toBe("prov-02");
    expect(simulator.events.filter((event) => event.event === "started")).toHaveLength(1);

    simulator.pressProvisioningButton();
    await simulator.next((event) => event.event === "provisioning_window");
    const handedOver = await provisionOverSerial(pty.gatewayPath, settings("prov-03"));
    expect(handedOver.deviceId).toBe("prov-03");
    await simulator.next((event) => event.event === "started" && event.deviceId === "prov-03");
  }, 120_000);

  it("names what is wrong: invalid settings, a wrong port, a busy port, no answer", async () => {
    const { pty } = await unprovisionedSimulator();
    const invalid = await failure(provisionOverSerial(pty.gatewayPath, { ...settings("prov-04"), samplingIntervalMs: 5 }));
    expect(invalid.code).toBe("invalid_settings");
    expect(invalid.details).toEqual({ field: "sampling_interval_ms" });

    expect((await failure(provisionOverSerial(join(suite.dir, "no-such-port"), settings("prov-04")))).code).toBe("wrong_port");
    writeFileSync(join(suite.dir, "a-file"), "not a tty");
    expect((await failure(provisionOverSerial(join(suite.dir, "a-file"), settings("prov-04")))).code).toBe("wrong_port");

    const holder = new SerialPort({ path: pty.gatewayPath, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((error) => (error ? reject(error) : resolve())));
    const busy = await failure(provisionOverSerial(pty.gatewayPath, settings("prov-04")));
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    expect(busy.code).toBe("device_busy");

    const silent = await PtyPair.open(mkdtempSync(join(suite.dir, "silent-")));
    suite.defer(() => silent.close());
    const noAnswer = await failure(provisionOverSerial(silent.gatewayPath, settings("prov-04"), { timeoutMs: 1_500 }));
    expect(noAnswer.code).toBe("no_answer");
    expect(noAnswer.details).toMatchObject({ payloads: 0 });
  }, 120_000);

  it("refuses an answer whose signature does not prove the key it reports", async () => {
    suite.folder("usb-provisioning-");
    const pty = await PtyPair.open(suite.dir);
    suite.defer(() => pty.close());
    // A device that reports one key and signs with another.
    const reported = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const publicKey = Uint8Array.from([
      4,
      ...Buffer.from(reported.x ?? "", "base64url"),
      ...Buffer.from(reported.y ?? "", "base64url"),
    ]);
    const port = new SerialPort({ path: pty.devicePath, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    suite.defer(() => new Promise<void>((resolve) => port.close(() => resolve())));
    const decoder = new SerialPacketDecoder();
    port.on("data", (chunk: Buffer) => {
      for (const packet of decoder.push(chunk)) {
        const body = packet.ok ? GatewayMessage.decode(packet.payload).body : undefined;
        if (body?.$case !== "provisionRequest") continue;
        const answer = provisionAnswer(body.value, { publicKey, signingKey: signer, firmwareVersion: "fake-1" });
        port.write(encodeSerialPacket(DeviceMessage.encode(answer).finish()));
      }
    });
    const forged = await failure(provisionOverSerial(pty.gatewayPath, settings("prov-05")));
    expect(forged.code).toBe("bad_signature");
  }, 60_000);
});
