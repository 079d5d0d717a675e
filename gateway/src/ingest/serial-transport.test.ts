import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Channel, CommandResult, FrameAckResult, FrameRefusal } from "@intelledger/proto/device";
import { encodeSerialPacket } from "@intelledger/proto/serial";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseGatewayConfig, type GatewayConfigInput } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { CommandChecker, FramedDeviceEnd, PtyPair, signFrame, SimulatedDevice, until } from "@intelledger/test-support";

let dir: string;
let pty: PtyPair;
let gateway: Gateway;
let cable: SerialPort | undefined;

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

/**
 * Sends a frame of three samples the gateway cannot take now: it answers RETRY_LATER naming
 * `refusal`, with a hint within `hint`, stores nothing, and takes the frame sent again after the hint.
 */
async function expectTakenAfterHint(
  end: FramedDeviceEnd,
  frame: Uint8Array,
  refusal: FrameRefusal,
  hint: { above: number; atMost: number },
): Promise<void> {
  const stored = gateway.readings.count();
  const notNow = await end.sendFrame(frame).answered(10_000);
  expect(notNow).toMatchObject({ result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER, refusal });
  expect(notNow?.retryAfterMs).toBeGreaterThan(hint.above);
  expect(notNow?.retryAfterMs).toBeLessThanOrEqual(hint.atMost);
  expect(gateway.readings.count()).toBe(stored);
  await new Promise((resolve) => setTimeout(resolve, notNow?.retryAfterMs ?? 0));
  expect((await end.sendFrame(frame).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
  expect(gateway.readings.count()).toBe(stored + 3);
}

/** Stores readings of another device until the database holds more than a mebibyte. */
function fillDisk(target: Gateway): void {
  const samples = Array.from({ length: 64 }, (_, index) => ({
    channel: Channel.CHANNEL_ANALOG,
    index,
    timestampMs: Date.now(),
    value: index,
    scale: 0,
    dataClass: 0,
  }));
  const clock = { nowMs: Date.now(), uncertain: false, boot: 1, uptimeMs: 1 };
  // About 2 MB of readings at the store's 43 bytes or so a reading: past a 1 MiB quota.
  target.readings.commitFrames(
    Array.from({ length: 750 }, (_, i) => ({
      deviceId: "filler",
      counter: i + 1,
      clock,
      transport: "serial",
      status: undefined,
      samples,
    })),
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

/** Stops the gateway the test began with and starts it again with `overrides`. */
async function restartSerialGateway(overrides: Partial<GatewayConfigInput>): Promise<void> {
  await gateway.stop();
  await startSerialGateway(overrides);
}

/** A simulated device the gateway knows. */
function registeredDevice(deviceId: string): SimulatedDevice {
  const device = new SimulatedDevice(deviceId);
  gateway.devices.register(device.deviceId, device.publicKeyPoint);
  return device;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "serial-"));
  pty = await PtyPair.open(dir);
  await startSerialGateway();
});

/** Pulls the device's end of the cable out, if it is in. */
async function unplugDevice(): Promise<void> {
  const port = cable;
  cable = undefined;
  if (port?.isOpen) await new Promise((resolve) => port.close(resolve));
}

afterEach(async () => {
  await unplugDevice();
  await gateway.stop();
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("serial transport over a pty pair", () => {
  it("takes framed frames, skipping garbage and torn packets, and answers each once durable", async () => {
    const device = registeredDevice("uart-1");
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
    const device = registeredDevice("uart-2");
    const { end } = await plugFramedDevice();
    const checker = new CommandChecker(device.deviceId, gateway.commandPublicKey);
    expect((await end.sendFrame(device.nextFrameBytes()).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    const answering = end.acknowledgeNextCommand(device, checker, 10_000);
    const outcome = await gateway.sendCommand(device.deviceId, { $case: "setSamplingInterval", value: { intervalMs: 2_000 } });
    expect((await answering)?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(outcome).toEqual({ commandId: 1, result: CommandResult.COMMAND_RESULT_APPLIED });
  });

  it("resumes ingest when the cable is pulled and plugged back, without a restart", async () => {
    const device = registeredDevice("uart-3");
    await (await plugFramedDevice()).end.sendFrame(device.nextFrameBytes()).answered(10_000);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(1);

    await unplugDevice();
    await pty.close(); // both ends vanish
    await until(() => gateway.snapshot().serial?.openPorts.length === 0, "the gateway to notice");
    pty = await PtyPair.open(dir); // the same cable, plugged back in
    await until(() => gateway.snapshot().serial?.openPorts.length === 1, "the gateway to reopen its end");
    const after = await (await plugFramedDevice()).end.sendFrame(device.nextFrameBytes()).answered(10_000);
    expect(after?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    expect(gateway.snapshot().ingest.framesAccepted).toBe(2);
    expect(gateway.readings.count()).toBe(6);
  });

  it("notices a cable pulled while bytes are still arriving, every time", async () => {
    // A read already under way when the line hangs up sees end of file rather than an error:
    // pulling the cable mid-stream, round after round, finds a gateway that misses it.
    for (let round = 0; round < 15; round++) {
      const port = await plugDevice();
      port.on("error", () => undefined); // the device's own writes fail once the cable is out
      const noise = setInterval(() => port.write(Buffer.alloc(64, 0x55), () => undefined), 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pty.close();
      clearInterval(noise);
      cable = undefined;
      await until(() => gateway.snapshot().serial?.openPorts.length === 0, `the gateway to notice the pull in round ${round}`);
      pty = await PtyPair.open(dir);
      await until(() => gateway.snapshot().serial?.openPorts.length === 1, `the gateway to reopen its end in round ${round}`);
    }
  });

  it("tells a device over its rate to send again later, and takes the frame then", async () => {
    await restartSerialGateway({ ingest: { admission: { framesPerSecond: 1, burst: 1 } } });
    const device = registeredDevice("uart-4");
    const { end } = await plugFramedDevice();
    expect((await end.sendFrame(device.nextFrameBytes()).answered(10_000))?.result).toBe(FrameAckResult.FRAME_ACK_RESULT_STORED);
    // Until the device's next token at one frame per second: less the time the first frame took.
    await expectTakenAfterHint(end, device.nextFrameBytes(), FrameRefusal.FRAME_REFUSAL_RATE_LIMITED, {
      above: 0,
      atMost: 1_000,
    });
  });

  it("tells a quarantined device to send again when its quarantine ends, and takes the frame then", async () => {
    await restartSerialGateway({ ingest: { admission: { maxFailures: 1, quarantineMs: 1_500 } } });
    const device = registeredDevice("uart-6");
    const { end } = await plugFramedDevice();
    // A frame with nothing in it is the device's own fault: with one failure allowed, it is quarantined.
    const empty = signFrame(
      { deviceId: device.deviceId, counter: 1, deviceTimeMs: Date.now(), uptimeMs: 1, samples: [] },
      device.keys.privateKey,
    );
    expect(await end.sendFrame(empty).answered(10_000)).toMatchObject({
      result: FrameAckResult.FRAME_ACK_RESULT_REFUSED,
      refusal: FrameRefusal.FRAME_REFUSAL_INVALID_SAMPLE,
    });
    await expectTakenAfterHint(end, device.nextFrameBytes(), FrameRefusal.FRAME_REFUSAL_QUARANTINED, {
      above: 1_000,
      atMost: 1_500,
    });
  });

  it("tells a device to send again when the disk quota is checked next while it is reached, storing nothing", async () => {
    await restartSerialGateway({ storage: { quotaBytes: 1_048_576, checkIntervalMs: 200 } });
    const device = registeredDevice("uart-7");
    fillDisk(gateway);
    await until(() => gateway.snapshot().storage.full, "the disk quota to be reached");
    const stored = gateway.readings.count();
    const { end } = await plugFramedDevice();
    expect(await end.sendFrame(device.nextFrameBytes()).answered(10_000)).toMatchObject({
      result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
      refusal: FrameRefusal.FRAME_REFUSAL_STORAGE_FULL,
      retryAfterMs: 200,
    });
    expect(gateway.snapshot().ingest.refusedStorageFull).toBe(1);
    expect(gateway.readings.count()).toBe(stored);
  });

  it("refuses a replay for good, naming why, and stores nothing twice", async () => {
    const device = registeredDevice("uart-5");
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
