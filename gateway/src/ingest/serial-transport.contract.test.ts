import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { FramedDeviceEnd } from "@intelledger/test-support";
import { PtyPair } from "@intelledger/test-support";
import { contractAnswer } from "./framed-contract-answer.js";
import { describeFrameTransportContract, type ContractDevice } from "./frame-transport-contract.js";
import { SerialTransport } from "./serial-transport.js";

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeFrameTransportContract("serial over a socat pty", async () => {
  const dir = mkdtempSync(join(tmpdir(), "serial-contract-"));
  const pty = await PtyPair.open(dir);
  const ports: SerialPort[] = [];
  return {
    createTransport: () =>
      new SerialTransport({
        ports: [pty.gatewayPath],
        baudRate: 115_200,
        rescanIntervalMs: 50,
        logger: pino({ level: "silent" }),
      }),
    async attachDevice(deviceId): Promise<ContractDevice> {
      const port = new SerialPort({ path: pty.devicePath, baudRate: 115_200, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
      ports.push(port);
      const end = new FramedDeviceEnd(
        (bytes) =>
          new Promise<void>((resolve, reject) => port.write(Buffer.from(bytes), (error) => (error ? reject(error) : resolve()))),
      );
      port.on("data", (chunk: Buffer) => end.push(chunk));
      return {
        deviceId,
        send: (signedFrame) => {
          const sent = end.sendFrame(signedFrame);
          return { answered: async (timeoutMs) => contractAnswer(await sent.answered(timeoutMs)) };
        },
        nextCommand: (timeoutMs) => end.nextCommand(timeoutMs),
      };
    },
    reachable: (transport) => until(() => (transport as SerialTransport).openPorts.includes(pty.gatewayPath), "the port to open"),
    async close() {
      await Promise.all(
        ports.map((port) => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()))),
      );
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
