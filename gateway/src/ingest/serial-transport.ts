import { encodeSerialPacket } from "@intelledger/proto/serial";
import type { Logger } from "pino";
import { SerialPort } from "serialport";
import { FramedPackets, noFramingErrors } from "./framed-packets.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";
import { discoverSerialPorts } from "./serial-port-discovery.js";

export interface SerialTransportOptions {
  ports: readonly string[];
  baudRate: number;
  rescanIntervalMs: number;
  logger: Logger;
}

interface OpenPort {
  port: SerialPort;
  packets: FramedPackets;
}

/**
 * Devices on serial lines (USB-UART), framed with COBS and CRC-32. Garbage and torn
 * packets are dropped and counted, the decoder picks up at the next delimiter; a port
 * that goes away (a cable pulled) is reopened as soon as its path is back.
 */
export class SerialTransport implements FrameTransport {
  readonly name = "serial" as const;
  /** Packets dropped below the frame level, by why. */
  readonly framingErrors = noFramingErrors();
  private readonly options: SerialTransportOptions;
  private readonly open = new Map<string, OpenPort>();
  private readonly portOfDevice = new Map<string, string>();
  private handler: FrameHandler | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: SerialTransportOptions) {
    this.options = options;
  }

  get openPorts(): string[] {
    return [...this.open.keys()];
  }

  async start(handler: FrameHandler): Promise<void> {
    this.handler = handler;
    await this.scan();
    this.timer = setInterval(() => void this.scan(), this.options.rescanIntervalMs);
  }

  async sendCommand(deviceId: string, signedCommand: Uint8Array): Promise<boolean> {
    const path = this.portOfDevice.get(deviceId);
    const open = path === undefined ? undefined : this.open.get(path);
    if (!open) return false;
    await new Promise<void>((resolve, reject) => {
      open.port.write(Buffer.from(encodeSerialPacket(signedCommand)), (error) => (error ? reject(error) : resolve()));
    });
    return true;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.handler = undefined;
    await Promise.all(
      [...this.open.values()].map(
        ({ port }) => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
      ),
    );
    this.open.clear();
  }

  private async scan(): Promise<void> {
    const paths = discoverSerialPorts(this.options.ports).filter((path) => !this.open.has(path));
    await Promise.all(paths.map((path) => this.openPort(path)));
  }

  private async openPort(path: string): Promise<void> {
    const { logger, baudRate } = this.options;
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    const opened = await new Promise<boolean>((resolve) => port.open((error) => resolve(!error)));
    if (!opened || !this.handler) return;
    const entry: OpenPort = { port, packets: new FramedPackets(this.framingErrors, (payload) => this.receive(path, payload)) };
    this.open.set(path, entry);
    logger.info({ path }, "serial port open");
    port.on("data", (chunk: Buffer) => entry.packets.push(chunk));
    const lost = (error?: Error) => {
      if (this.open.get(path) !== entry) return;
      this.open.delete(path);
      entry.packets.reset();
      logger.warn({ path, err: error }, "serial port lost; reopening when it comes back");
    };
    port.on("close", lost);
    port.on("error", lost);
  }

  private receive(path: string, payload: Uint8Array): void {
    this.handler?.({ transport: "serial", bytes: payload }).then(
      (outcome) => {
        if (outcome.accepted) this.portOfDevice.set(outcome.deviceId, path);
      },
      (error: unknown) => this.options.logger.warn({ err: error, path }, "serial frame not taken"),
    );
  }
}
