import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PtyPair } from "@intelledger/test-support";
import { SerialPort } from "serialport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioningProgress } from "../src/shared/bridge-types.js";
import { GatewayApi } from "../src/shared/gateway-api.js";
import { pairGateway } from "../src/main/services/gateway-pairing.js";
import { UsbProvisioning, type UsbProvisioningError } from "../src/main/services/usb-provisioning.js";
import { buildDeviceSimulator, DeviceSimulatorProcess } from "../../scripts/demo/device-simulator.js";
import { TEST_PASSWORD } from "../../gateway/test/gateway-client.js";
import { startTestGateway } from "../../gateway/test/test-gateway.js";

let dir: string;
let binary: string;
let running: Awaited<ReturnType<typeof startTestGateway>>;
let api: GatewayApi;
const cleanups: (() => Promise<unknown>)[] = [];
const usb = new UsbProvisioning();

async function cable(name: string): Promise<PtyPair> {
  const cableDir = join(dir, name);
  mkdirSync(cableDir);
  const pair = await PtyPair.open(cableDir);
  cleanups.push(() => pair.close());
  return pair;
}

/** A firmware simulator booted without an identity, waiting on the device end of a new cable. */
async function unprovisionedDevice(name: string) {
  const pty = await cable(name);
  const simulator = DeviceSimulatorProcess.start(binary, [
    "--provision",
    "--state-dir",
    join(dir, name, "state"),
    "--serial",
    pty.devicePath,
    "--interval-ms",
    "200",
  ]);
  cleanups.push(() => simulator.stop());
  await simulator.next((event) => event.event === "awaiting_provisioning");
  return { pty, simulator };
}

/** Runs provisioning; answers its steps as reported and the error it failed with, if it did. */
async function provision(port: string, deviceId: string, timeoutMs = 10_000) {
  const progress: ProvisioningProgress[] = [];
  const outcome = await usb
    .provision(api, { port, deviceId, samplingIntervalMs: 200, link: "serial", timeoutMs }, (update) => progress.push(update))
    .then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: error as UsbProvisioningError }),
    );
  return { ...outcome, steps: progress.map((update) => `${update.step}:${update.state}`), progress };
}

beforeAll(async () => {
  binary = buildDeviceSimulator();
  dir = mkdtempSync(join(tmpdir(), "console-usb-"));
  running = await startTestGateway();
  const login = await pairGateway(
    running.url,
    { code: running.gateway.pairingCode ?? "", username: "tech", password: TEST_PASSWORD },
    "usb test",
  );
  api = new GatewayApi({ baseUrl: running.url, token: login.token });
}, 600_000);

afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("USB provisioning from the technician's computer", () => {
  it("provisions the firmware's simulator with the gateway's command key, then registers the key it proved", async () => {
    const { pty, simulator } = await unprovisionedDevice("first");
    const run = await provision(pty.gatewayPath, "console-01");
    expect(run.error).toBeUndefined();
    expect(run.steps).toEqual([
      "check:running",
      "check:done",
      "exchange:running",
      "exchange:done",
      "register:running",
      "register:done",
    ]);
    expect(run.result).toMatchObject({ deviceId: "console-01", outcome: "registered", firmwareVersion: "sim-1.0.0" });
    const started = await simulator.next((event) => event.event === "started" && event.deviceId === "console-01");
    expect(started).toMatchObject({ provisioned: true, publicKey: run.result?.publicKey, commandsEnabled: true });
    expect(await api.device("console-01")).toMatchObject({ status: "active", publicKey: run.result?.publicKey });
    expect(running.gateway.audit.list({ limit: 5 }).find((entry) => entry.action === "device.register")).toMatchObject({
      actor: "tech",
      target: "console-01",
    });
  }, 60_000);

  it("says which failure it met, at which step, and what to do next", async () => {
    const missing = await provision(join(dir, "no-such-port"), "console-02");
    expect(missing.error?.code).toBe("wrong_port");
    expect(missing.error?.hint).toMatch(/pick the port again/);
    expect(missing.steps.at(-1)).toBe("exchange:failed");

    const notSerial = join(dir, "a-file");
    writeFileSync(notSerial, "");
    expect((await provision(notSerial, "console-02")).error?.code).toBe("wrong_port");

    const held = await cable("held");
    const holder = new SerialPort({ path: held.gatewayPath, baudRate: 115_200, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => holder.open((error) => (error ? reject(error) : resolve())));
    const busy = await provision(held.gatewayPath, "console-02");
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    expect(busy.error?.code).toBe("device_busy");
    expect(busy.error?.hint).toMatch(/close the other program/);

    const silent = await cable("silent");
    const noAnswer = await provision(silent.gatewayPath, "console-02", 1_500);
    expect(noAnswer.error?.code).toBe("no_answer");
    expect(noAnswer.error?.message).toMatch(/nothing in the serial framing arrived/);
    expect(noAnswer.error?.hint).toMatch(/IntelLedger firmware/);

    expect(await api.devices()).not.toContainEqual(expect.objectContaining({ deviceId: "console-02" }));
  }, 60_000);

  it("reports a device that refuses new settings, and a gateway that refuses its key", async () => {
    const { pty, simulator } = await unprovisionedDevice("refusing");
    expect((await provision(pty.gatewayPath, "console-03")).result?.outcome).toBe("registered");
    await simulator.next((event) => event.event === "started");

    // Provisioned already, its window closed: the device says it is locked.
    const locked = await provision(pty.gatewayPath, "console-04");
    expect(locked.error?.code).toBe("refused");
    expect(locked.error?.message).toMatch(/locked/);
    expect(locked.error?.hint).toMatch(/BOOT button/);

    // Its window open, it takes an id the gateway knows with another key: the gateway refuses it.
    simulator.pressProvisioningButton();
    const opened = await simulator.next((event) => event.event === "provisioning_window" && event.open === true);
    const conflict = await provision(pty.gatewayPath, "console-01");
    expect(conflict.error?.code).toBe("conflict");
    expect(conflict.error?.hint).toMatch(/another device's key/);
    expect(conflict.steps.slice(-2)).toEqual(["register:running", "register:failed"]);

    // The same device provisioned again under its own id is confirmed, not registered twice.
    await simulator.next((event) => event.event === "started" && event.deviceId === "console-01");
    simulator.pressProvisioningButton();
    await simulator.next((event) => event.event === "provisioning_window" && event.open === true && event !== opened);
    expect((await provision(pty.gatewayPath, "console-03")).result?.outcome).toBe("confirmed");
  }, 60_000);

  it("lists serial ports, pointing out the USB bridges ESP32 boards carry", async () => {
    const listed = new UsbProvisioning({
      listPorts: () =>
        Promise.resolve([
          { path: "/dev/ttyS0" },
          { path: "/dev/ttyUSB0", vendorId: "10C4", manufacturer: "Silicon Labs" },
          { path: "/dev/ttyACM0", vendorId: "303a", manufacturer: "Espressif" },
        ]),
    });
    expect(await listed.ports()).toEqual([
      { path: "/dev/ttyACM0", description: "Espressif, Espressif (native USB)", likelyDevice: true },
      { path: "/dev/ttyUSB0", description: "Silicon Labs, Silicon Labs CP210x", likelyDevice: true },
      { path: "/dev/ttyS0", description: "serial port", likelyDevice: false },
    ]);
    // The real listing works on this machine too.
    expect(Array.isArray(await usb.ports())).toBe(true);
  });
});
