import type { Logger } from "pino";
import type { BleCentral, BleLink } from "./ble/ble-central.js";
import { FramedLink, type FramedConnection } from "./framed-link.js";
import { noFramingErrors } from "./framed-packets.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";

type Connection = FramedConnection<{ ble: BleLink }>;

/**
 * Devices over BLE: each connected device notifies a byte stream carrying the serial framing
 * (COBS + CRC-32) in MTU-sized chunks, reassembled here at the delimiters; FrameAcks and
 * commands go back the same way through the write characteristic. The device's advertised id
 * is checked against every frame it sends.
 */
export class BleTransport implements FrameTransport {
  readonly name = "ble" as const;
  /** Packets dropped below the frame level, by why. */
  readonly framingErrors = noFramingErrors();
  private readonly central: BleCentral;
  private readonly logger: Logger;
  private readonly connections = new Map<string, Connection>();
  private handler: FrameHandler | undefined;

  constructor(options: { central: BleCentral; logger: Logger }) {
    this.central = options.central;
    this.logger = options.logger;
  }

  get connectedDevices(): string[] {
    return [...this.connections.keys()];
  }

  async start(handler: FrameHandler, failed?: (error: Error) => void): Promise<void> {
    this.handler = handler;
    await this.central.start((link) => this.attach(link), failed);
  }

  async sendCommand(deviceId: string, signedCommand: Uint8Array): Promise<boolean> {
    const connection = this.connections.get(deviceId);
    if (!connection) return false;
    await connection.link.sendCommand(signedCommand);
    return true;
  }

  async stop(): Promise<void> {
    this.handler = undefined;
    await Promise.all([...this.connections.values()].map(({ ble }) => ble.disconnect()));
    this.connections.clear();
    await this.central.stop();
  }

  private attach(ble: BleLink): void {
    const link = new FramedLink({
      transport: "ble",
      claimedDeviceId: ble.deviceId,
      framingErrors: this.framingErrors,
      handler: () => this.handler,
      write: async (bytes) => {
        const size = ble.mtu - 3;
        for (let offset = 0; offset < bytes.length; offset += size) await ble.write(bytes.subarray(offset, offset + size));
      },
      logger: this.logger,
    });
    const connection: Connection = { ble, link };
    this.connections.set(ble.deviceId, connection);
    ble.onDisconnect(() => {
      if (this.connections.get(ble.deviceId) === connection) this.connections.delete(ble.deviceId);
      this.logger.info({ deviceId: ble.deviceId }, "BLE device disconnected");
    });
    ble.onData((chunk) => link.push(chunk));
  }
}
