import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandResult, FrameAckResult, FrameRefusal } from "@intelledger/proto/device";
import { encodeSerialPacket } from "@intelledger/proto/serial";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig, type GatewayConfigInput } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { CommandChecker, FramedDeviceEnd, PtyPair, SimulatedDevice } from "@intelledger/test-support";

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

/** The device's end of the cable, speaking the serial link's envelopes. */
async function plugFramedDevice(): Promise<{ port: SerialPort; end: FramedDeviceEnd }> {
  const port = await plugDevice();
  const end = new FramedDeviceEnd((bytes) => write(port, bytes));
  port.on("data", (chunk: Buffer) => end.push(chunk));
  return { port, end };
}

function write(port: SerialPort, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    port.write(Buffer.from(bytes), (error) => (error ? reject(error) : port.drain(() => resolve()))),
  );
}

async function startSerialGateway(overrides: Partial<GatewayConfigInput> = {}): Promise<void> {
  gateway = await startGateway(
    parseGatewayConfig({
      dataDir: join(dir, "data"),
      mqtt: { port: 0 },
      serial: { ports: [pty.gatewayPath], rescanIntervalMs: 100 },
      ...overrides,
    }),
    pino({ level: "silent" }),
  );
  await until(() => (gateway.snapshot().serial?.openPorts.length ?? 0) === 1, "the gateway to open its end");
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "serial-"));
  pty = await PtyPair.open(dir);
  await startSerialGateway();
});

afterEach(async () => {
  cable?.close();
  cable = undefined;
  await gateway.stop();
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("serial transport over a pty pair", () => {
  it("takes framed frames, skipping garbage and torn packets, and answers each once durable", async () => {
    const device = new SimulatedDevice("uart-1");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    const { port, end } = await plugFramedDevice();
    const first = device.nextFrameBytes();
    await write(port, Uint8Array.of(0x13, 0x37, 0x00, 0xde, 0xad)); // line noise
    await write(port, encodeSerialPacket(first).subarray(0, 20)); // a packet cut off mid-way, then the rest of the stream resumes
    await write(port, Uint8Array.of(0x00));
    const answers = [await end.sendFrame(first).answered(10_000), await end.sendFrame(device.nextFrameBytes()).answered(10_000)];
    expect(answers.map((answer) => answer?.result)).toEqual([
      FrameAckResult.FRAME_ACK_RESULT_STORED,
      FrameAckResult.FRAME_ACK_RESULT_STORED,
    ]);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(2);
    expect(gateway.readings.count()).toBe(6);
    const { framingErrors } = gateway.snapshot().serial ?? { framingErrors: { cobs: 0, crc: 0, truncated: 0, oversized: 0 } };
    expect(framingErrors.cobs + framingErrors.crc + framingErrors.truncated).toBeGreaterThanOrEqual(2);
  });

  it("carries a signed command to the device and its acknowledgement back", async () => {
    const device = new SimulatedDevice("uart-2");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    const { end } = await plugFramedDevice();
    const checker = new CommandChecker(device.deviceId, gateway.commandPublicKey);
    expect((await end.sendFrame(device.nextFrameBytes()).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    const answering = end.nextCommand(10_000).then((command) => {
      const checked = checker.check(command);
      return end
        .sendFrame(device.nextFrameBytes(Date.now(), { commandId: checked.commandId, result: checked.result }))
        .answered(10_000);
    });
    const outcome = await gateway.sendCommand(device.deviceId, { $case: "setSamplingInterval", value: { intervalMs: 2_000 } });
    expect((await answering)?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(outcome).toEqual({ commandId: 1, result: CommandResult.COMMAND_RESULT_APPLIED });
  });

  it("resumes ingest when the cable is pulled and plugged back, without a restart", async () => {
    const device = new SimulatedDevice("uart-3");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    await (await plugFramedDevice()).end.sendFrame(device.nextFrameBytes()).answered(10_000);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(1);

    cable?.close();
    await pty.close(); // both ends vanish
    await until(() => gateway.snapshot().serial?.openPorts.length === 0, "the gateway to notice");
    pty = await PtyPair.open(dir); // the same cable, plugged back in
    await until(() => gateway.snapshot().serial?.openPorts.length === 1, "the gateway to reopen its end");
    const after = await (await plugFramedDevice()).end.sendFrame(device.nextFrameBytes()).answered(10_000);
    expect(after?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(2);
    expect(gateway.readings.count()).toBe(6);
  });

  it("tells a device over its rate to send again later, and takes the frame then", async () => {
    await gateway.stop();
    await startSerialGateway({ ingest: { admission: { framesPerSecond: 1, burst: 1 } } });
    const device = new SimulatedDevice("uart-4");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    const { end } = await plugFramedDevice();
    expect((await end.sendFrame(device.nextFrameBytes()).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    const early = device.nextFrameBytes();
    const notNow = await end.sendFrame(early).answered(10_000);
    expect(notNow).toMatchObject({
      result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
      refusal: FrameRefusal.FRAME_REFUSAL_RATE_LIMITED,
      retryAfterMs: 1_000,
    });
    expect(gateway.readings.count()).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, notNow?.retryAfterMs ?? 0));
    expect((await end.sendFrame(early).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(gateway.readings.count()).toBe(6);
  });

  it("refuses a replay for good, naming why, and stores nothing twice", async () => {
    const device = new SimulatedDevice("uart-5");
    gateway.devices.register(device.deviceId, device.publicKeyPoint);
    const { end } = await plugFramedDevice();
    const frame = device.nextFrameBytes();
    expect((await end.sendFrame(frame).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(await end.sendFrame(frame).answered(10_000)).toMatchObject({
      result: FrameAckResult.FRAME_ACK_RESULT_REFUSED,
      refusal: FrameRefusal.FRAME_REFUSAL_REPLAYED,
    });
    expect(gateway.readings.count()).toBe(3);
  });
});
