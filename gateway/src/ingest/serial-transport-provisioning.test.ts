import { provisionAnswer } from "@intelledger/test-support/provisioning-answer";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceMessage, GatewayMessage } from "@intelledger/proto/device";
import { ProvisioningError, type ProvisioningSettings } from "@intelledger/proto/provisioning";
import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FramedDeviceEnd } from "@intelledger/test-support";
import { PtyPair } from "@intelledger/test-support";
import { SimulatedDevice } from "@intelledger/test-support";
import type { IncomingFrame } from "./frame-transport.js";
import { SerialTransport } from "./serial-transport.js";

let dir: string;
let pty: PtyPair;
let port: SerialPort;
let transport: SerialTransport;
const frames: IncomingFrame[] = [];

const point = (jwk: { x?: string; y?: string }) =>
  Uint8Array.from([4, ...Buffer.from(jwk.x ?? "", "base64url"), ...Buffer.from(jwk.y ?? "", "base64url")]);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "serial-provisioning-"));
  pty = await PtyPair.open(dir);
  port = new SerialPort({ path: pty.devicePath, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  transport = new SerialTransport({
    ports: [pty.gatewayPath],
    baudRate: 115_200,
    rescanIntervalMs: 50,
    logger: pino({ level: "silent" }),
  });
  await transport.start((frame) => {
    frames.push(frame);
    return Promise.resolve({ accepted: true, deviceId: "prov-gw-1" });
  });
  const deadline = Date.now() + 10_000;
  while (transport.openPorts.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
});

afterEach(async () => {
  await transport.stop();
  await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A device on the cable that takes any provisioning request, proving its key, and keeps sending frames. */
function provisionableDevice(device: SimulatedDevice) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const key = point(publicKey.export({ format: "jwk" }));
  const end = new FramedDeviceEnd((bytes) => {
    port.write(Buffer.from(bytes));
  });
  const decoder = new SerialPacketDecoder();
  port.on("data", (chunk: Buffer) => {
    end.push(chunk);
    for (const packet of decoder.push(chunk)) {
      const body = packet.ok ? GatewayMessage.decode(packet.payload).body : undefined;
      if (body?.$case !== "provisionRequest") continue;
      const answer = provisionAnswer(body.value, { publicKey: key, signingKey: privateKey, firmwareVersion: "test-1" });
      port.write(encodeSerialPacket(DeviceMessage.encode(answer).finish()));
    }
  });
  return { key, end, device };
}

const settings: ProvisioningSettings = {
  deviceId: "prov-gw-1",
  gatewayCommandKey: point(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" })),
  samplingIntervalMs: 1_000,
  link: { kind: "serial" },
};

describe("provisioning through the gateway's serial transport", () => {
  it("runs the exchange on a port the transport holds open, while frames keep flowing", async () => {
    const { key, end, device } = provisionableDevice(new SimulatedDevice("prov-gw-1"));
    const sending = end.sendFrame(device.nextFrameBytes());
    const provisioned = await transport.provisionDevice(pty.gatewayPath, settings);
    expect(provisioned).toEqual({ deviceId: "prov-gw-1", publicKey: key, firmwareVersion: "test-1" });
    expect(await sending.answered(5_000)).toBeDefined();
    expect(frames).toHaveLength(1);
  });

  it("says wrong_port for a port it does not hold", async () => {
    const error: unknown = await transport
      .provisionDevice(join(dir, "elsewhere"), settings)
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect((error as ProvisioningError).code).toBe("wrong_port");
  });
});
