import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandResult } from "@intelledger/proto/device";
import { encodeSerialPacket } from "@intelledger/proto/serial";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { CommandChecker } from "@intelledger/test-support";
import { SimulatedBleCentral, SimulatedPeripheral } from "@intelledger/test-support";
import { SimulatedDevice } from "@intelledger/test-support";
import { FramedPackets, noFramingErrors } from "./framed-packets.js";

let dir: string;
let central: SimulatedBleCentral;
let gateway: Gateway;

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ble-"));
  central = new SimulatedBleCentral();
  gateway = await startGateway(parseGatewayConfig({ dataDir: dir, mqtt: { port: 0 } }), pino({ level: "silent" }), {
    bleCentral: central,
  });
});

afterEach(async () => {
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A device behind a simulated BLE peripheral with the smallest MTU, so every frame spans many notifications. */
function bleDevice(id: string) {
  const device = new SimulatedDevice(id);
  const peripheral = new SimulatedPeripheral(id);
  gateway.devices.register(id, device.publicKeyPoint);
  central.advertise(peripheral);
  return { device, peripheral };
}

describe("BLE transport through the central interface", () => {
  it("reassembles frames notified in MTU-sized chunks", async () => {
    const { device, peripheral } = bleDevice("ble-1");
    expect(gateway.snapshot().ble?.connectedDevices).toEqual(["ble-1"]);
    for (let i = 0; i < 3; i++) peripheral.notify(encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 3, "three frames");
    expect(gateway.readings.count()).toBe(9);
  });

  it("refuses frames of another device than the one connected", async () => {
    const { peripheral } = bleDevice("ble-2");
    const impostor = new SimulatedDevice("ble-3");
    gateway.devices.register("ble-3", impostor.publicKeyPoint);
    peripheral.notify(encodeSerialPacket(impostor.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.rejected.device_mismatch === 1, "the mismatch");
    expect(gateway.readings.count()).toBe(0);
  });

  it("writes a command in chunks the device reassembles, and takes its acknowledgement", async () => {
    const { device, peripheral } = bleDevice("ble-4");
    const checker = new CommandChecker(device.deviceId, gateway.commandPublicKey);
    const inbound = new FramedPackets(noFramingErrors(), (payload) => {
      const checked = checker.check(payload);
      peripheral.notify(
        encodeSerialPacket(device.nextFrameBytes(Date.now(), { commandId: checked.commandId, result: checked.result })),
      );
    });
    peripheral.onWrite((chunk) => inbound.push(chunk));
    peripheral.notify(encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 1, "the first frame");
    const outcome = await gateway.sendCommand("ble-4", { $case: "reboot", value: {} });
    expect(outcome.result).toBe(CommandResult.COMMAND_RESULT_APPLIED);
  });

  it("drops a device that goes out of range and takes it back when it returns", async () => {
    const { device, peripheral } = bleDevice("ble-5");
    peripheral.notify(encodeSerialPacket(device.nextFrameBytes()).subarray(0, 30)); // cut off mid-frame
    peripheral.drop();
    expect(gateway.snapshot().ble?.connectedDevices).toEqual([]);
    central.advertise(peripheral);
    peripheral.notify(encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 1, "a frame after the return");
  });
});
