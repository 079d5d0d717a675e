import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { SerialPort } from "serialport";
import { FramedDeviceEnd, PtyPair, until } from "@intelledger/test-support";
import { SerialTransport } from "./serial-transport.js";
import { describeFrameTransportContract } from "../../test/frame-transport-contract.js";
import { framedContractDevice } from "../../test/framed-contract-device.js";

describeFrameTransportContract("serial over a socat pty", async () => {
  const dir = mkdtempSync(join(tmpdir(), "serial-contract-"));
  const pty = await PtyPair.open(dir);
  return {
    createTransport: () =>
      new SerialTransport({
        ports: [pty.gatewayPath],
        baudRate: 115_200,
        rescanIntervalMs: 50,
        logger: pino({ level: "silent" }),
      }),
    async attachDevice() {
      const port = new SerialPort({ path: pty.devicePath, baudRate: 115_200, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
      const end = new FramedDeviceEnd(
        (bytes) =>
          new Promise<void>((resolve, reject) => port.write(Buffer.from(bytes), (error) => (error ? reject(error) : resolve()))),
      );
      port.on("data", (chunk: Buffer) => end.push(chunk));
      return framedContractDevice(
        end,
        () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
      );
    },
    reachable: (transport) => until(() => (transport as SerialTransport).openPorts.includes(pty.gatewayPath), "the port to open"),
    answersGiveReasons: true,
    async close() {
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
