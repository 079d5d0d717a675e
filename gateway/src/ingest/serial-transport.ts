import {
  exchangeProvisioning,
  ProvisioningError,
  type ProvisionedDevice,
  type ProvisioningExchangeOptions,
  type ProvisioningSettings,
} from "@intelledger/proto/provisioning";
import type { Logger } from "pino";
import { SerialPortStream } from "@serialport/stream";
import { FramedLink, type FramedConnection } from "./framed-link.js";
import { noFramingErrors } from "./framed-packets.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";
import { serialBinding } from "./hangup-aware-binding.js";
import { discoverSerialPorts } from "./serial-port-discovery.js";

export interface SerialTransportOptions {
  ports: readonly string[];
  baudRate: number;
  rescanIntervalMs: number;
  logger: Logger;
}

type OpenPort = FramedConnection<{ port: SerialPortStream }>;

/**
 * Devices on serial lines (USB-UART), framed with COBS and CRC-32, each frame answered with a
 * FrameAck once durable, refused, or "not now". Garbage and torn packets are dropped and
 * counted, the decoder picks up at the next delimiter; a port that goes away (a cable pulled)
 * is reopened as soon as its path is back.
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
  /** The scan under way: a port slower to open than the rescan interval must not be opened twice. */
  private scanning: Promise<void> | undefined;

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
    await open.link.sendCommand(signedCommand);
    return true;
  }

  /**
   * Provisions the device on one of this transport's open ports (see
   * @intelledger/proto/provisioning); `wrong_port` when the port is not open here.
   */
  async provisionDevice(
    path: string,
    settings: ProvisioningSettings,
    options: ProvisioningExchangeOptions = {},
  ): Promise<ProvisionedDevice> {
    const open = this.open.get(path);
    if (!open) {
      throw new ProvisioningError("wrong_port", `${path} is not a serial port the gateway has open`, {
        path,
        openPorts: this.openPorts,
      });
    }
    return exchangeProvisioning(
      { send: (payload) => open.link.send(payload), subscribe: (listener) => open.link.onPayload(listener) },
      settings,
      options,
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.handler = undefined;
    await this.scanning;
    // Forgotten before they close, so that closing them is not taken for a cable pulled.
    const closing = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      closing.map(({ port }) => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()))),
    );
  }

  private scan(): Promise<void> {
    this.scanning ??= this.openNewPorts().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async openNewPorts(): Promise<void> {
    const paths = discoverSerialPorts(this.options.ports).filter((path) => !this.open.has(path));
    await Promise.all(paths.map((path) => this.openPort(path)));
  }

  private async openPort(path: string): Promise<void> {
    const { logger, baudRate } = this.options;
    const port = new SerialPortStream({ binding: serialBinding(), path, baudRate, autoOpen: false });
    const opened = await new Promise<boolean>((resolve) => port.open((error) => resolve(!error)));
    if (!opened) return;
    if (!this.handler) {
      // Stopped while the port was opening.
      await new Promise((resolve) => port.close(resolve));
      return;
    }
    const link = new FramedLink({
      transport: "serial",
      framingErrors: this.framingErrors,
      handler: () => this.handler,
      write: (bytes) =>
        new Promise<void>((resolve, reject) =>
          port.write(Buffer.from(bytes), (error) =>
            error ? reject(error) : port.drain((drained) => (drained ? reject(drained) : resolve())),
          ),
        ),
      onStored: (deviceId) => this.portOfDevice.set(deviceId, path),
      logger,
    });
    const entry: OpenPort = { port, link };
    this.open.set(path, entry);
    logger.info({ path }, "serial port open");
    port.on("data", (chunk: Buffer) => link.push(chunk));
    const lost = (error?: Error) => {
      if (this.open.get(path) !== entry) return;
      this.open.delete(path);
      link.reset();
      logger.warn({ path, err: error }, "serial port lost; reopening when it comes back");
    };
    port.on("close", lost);
    port.on("error", lost);
  }
}
