import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandResult } from "@intelledger/proto/device";
import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { CommandChecker } from "@intelledger/test-support";
import { PtyPair } from "@intelledger/test-support";
import { SimulatedDevice } from "@intelledger/test-support";

let dir: string;
let pty: PtyPair;
let gateway: Gateway;
let cable: SerialPort | undefined;

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The device's end of the cable. */
async function plugDevice(): Promise<SerialPort> {
  const port = new SerialPort({ path: pty.devicePath, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  cable = port;
  return port;
}

function write(port: SerialPort, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    port.write(Buffer.from(bytes), (error) => (error ? reject(error) : port.drain(() => resolve()))),
  );
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "serial-"));
  pty = await PtyPair.open(dir);
  gateway = await startGateway(
    parseGatewayConfig({
      dataDir: join(dir, "data"),
      mqtt: { port: 0 },
      serial: { ports: [pty.gatewayPath], rescanIntervalMs: 100 },
    }),
    pino({ level: "silent" }),
  );
  await until(() => (gateway.snapshot().serial?.openPorts.length ?? 0) === 1, "the gateway to open its end");
});

afterEach(async () => {
  cable?.close();
  cable = undefined;
  await gateway.stop();
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("serial transport over a pty pair", () => {
  it("takes framed frames, skipping garbage and torn packets", async () => {
    const device = new SimulatedDevice("uart-1");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    const port = await plugDevice();
    const first = encodeSerialPacket(device.nextFrameBytes());
    await write(port, Uint8Array.of(0x13, 0x37, 0x00, 0xde, 0xad)); // line noise
    await write(port, first.subarray(0, 20)); // a packet cut off mid-way, then the rest of the stream resumes
    await write(port, Uint8Array.of(0x00));
    await write(port, first);
    await write(port, encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 2, "two frames");
    expect(gateway.readings.count()).toBe(6);
    const { framingErrors } = gateway.snapshot().serial ?? { framingErrors: { cobs: 0, crc: 0, truncated: 0, oversized: 0 } };
    expect(framingErrors.cobs + framingErrors.crc + framingErrors.truncated).toBeGreaterThanOrEqual(2);
  });

  it("carries a signed command to the device and its acknowledgement back", async () => {
    const device = new SimulatedDevice("uart-2");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    const port = await plugDevice();
    const checker = new CommandChecker(device.deviceId, gateway.commandPublicKey);
    const decoder = new SerialPacketDecoder();
    port.on("data", (chunk: Buffer) => {
      for (const packet of decoder.push(chunk)) {
        if (!packet.ok) continue;
        const checked = checker.check(packet.payload);
        void write(
          port,
          encodeSerialPacket(device.nextFrameBytes(Date.now(), { commandId: checked.commandId, result: checked.result })),
        );
      }
    });
    await write(port, encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 1, "the device's first frame");
    const outcome = await gateway.sendCommand(device.deviceId, { $case: "setSamplingInterval", value: { intervalMs: 2_000 } });
    expect(outcome).toEqual({ commandId: 1, result: CommandResult.COMMAND_RESULT_APPLIED });
  });

  it("resumes ingest when the cable is pulled and plugged back, without a restart", async () => {
    const device = new SimulatedDevice("uart-3");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await write(await plugDevice(), encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 1, "a frame before the unplug");

    cable?.close();
    await pty.close(); // both ends vanish
    await until(() => gateway.snapshot().serial?.openPorts.length === 0, "the gateway to notice");
    pty = await PtyPair.open(dir); // the same cable, plugged back in
    await until(() => gateway.snapshot().serial?.openPorts.length === 1, "the gateway to reopen its end");
    await write(await plugDevice(), encodeSerialPacket(device.nextFrameBytes()));
    await until(() => gateway.snapshot().ingest.framesAccepted === 2, "a frame after the replug");
    expect(gateway.readings.count()).toBe(6);
  });
});
