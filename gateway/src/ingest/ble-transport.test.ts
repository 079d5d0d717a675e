import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandResult, FrameAckResult, FrameRefusal } from "@intelledger/proto/device";
import { encodeSerialPacket } from "@intelledger/proto/serial";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import {
  CommandChecker,
  FramedDeviceEnd,
  SimulatedBleCentral,
  SimulatedDevice,
  SimulatedPeripheral,
} from "@intelledger/test-support";

let dir: string;
let central: SimulatedBleCentral;
let gateway: Gateway;

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
  const end = new FramedDeviceEnd((bytes) => peripheral.notify(bytes));
  peripheral.onWrite((chunk) => end.push(chunk));
  gateway.devices.register(id, device.publicKeyPoint);
  central.advertise(peripheral);
  return { device, peripheral, end };
}

describe("BLE transport through the central interface", () => {
  it("reassembles frames notified in MTU-sized chunks and answers each in chunks written back", async () => {
    const { device, end } = bleDevice("ble-1");
    expect(gateway.snapshot().ble?.connectedDevices).toEqual(["ble-1"]);
    const sent = [0, 1, 2].map(() => end.sendFrame(device.nextFrameBytes()));
    for (const frame of sent) expect((await frame.answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(3);
    expect(gateway.readings.count()).toBe(9);
  });

  it("refuses for good the frames of another device than the one connected", async () => {
    const { end } = bleDevice("ble-2");
    const impostor = new SimulatedDevice("ble-3");
    gateway.devices.register("ble-3", impostor.publicKeyPoint);
    expect(await end.sendFrame(impostor.nextFrameBytes()).answered(10_000)).toMatchObject({
      result: FrameAckResult.FRAME_ACK_RESULT_REFUSED,
      refusal: FrameRefusal.FRAME_REFUSAL_DEVICE_MISMATCH,
    });
    expect(gateway.snapshot().ingest.rejected.device_mismatch).toBe(1);
    expect(gateway.readings.count()).toBe(0);
  });

  it("writes a command in chunks the device reassembles, and takes its acknowledgement", async () => {
    const { device, end } = bleDevice("ble-4");
    const checker = new CommandChecker(device.deviceId, gateway.commandPublicKey);
    expect((await end.sendFrame(device.nextFrameBytes()).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    const answering = end.acknowledgeNextCommand(device, checker, 10_000);
    const outcome = await gateway.sendCommand("ble-4", { $case: "reboot", value: {} });
    expect(outcome.result).toBe(CommandResult.COMMAND_RESULT_APPLIED);
    expect((await answering)?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
  });

  it("drops a device that goes out of range and takes it back when it returns", async () => {
    const { device, peripheral, end } = bleDevice("ble-5");
    peripheral.notify(encodeSerialPacket(device.nextFrameBytes()).subarray(0, 30)); // cut off mid-frame
    peripheral.drop();
    expect(gateway.snapshot().ble?.connectedDevices).toEqual([]);
    central.advertise(peripheral);
    end.reset();
    expect((await end.sendFrame(device.nextFrameBytes()).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(1);
  });
});
