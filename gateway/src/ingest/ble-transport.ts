import { encodeSerialPacket } from "@intelledger/proto/serial";
import type { Logger } from "pino";
import type { BleCentral, BleLink } from "./ble/ble-central.js";
import { FramedPackets, noFramingErrors } from "./framed-packets.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";

/**
 * Devices over BLE: each connected device notifies a byte stream carrying the serial
 * framing (COBS + CRC-32) in MTU-sized chunks, reassembled here at the delimiters; commands
 * go back the same way through the write characteristic. The device's advertised id is
 * checked against every frame it sends.
 */
export class BleTransport implements FrameTransport {
  readonly name = "ble" as const;
  /** Packets dropped below the frame level, by why. */
  readonly framingErrors = noFramingErrors();
  private readonly central: BleCentral;
  private readonly logger: Logger;
  private readonly links = new Map<string, BleLink>();
  private handler: FrameHandler | undefined;

  constructor(options: { central: BleCentral; logger: Logger }) {
    this.central = options.central;
    this.logger = options.logger;
  }

  get connectedDevices(): string[] {
    return [...this.links.keys()];
  }

  async start(handler: FrameHandler): Promise<void> {
    this.handler = handler;
    await this.central.start((link) => this.attach(link));
  }

  async sendCommand(deviceId: string, signedCommand: Uint8Array): Promise<boolean> {
    const link = this.links.get(deviceId);
    if (!link) return false;
    const packet = encodeSerialPacket(signedCommand);
    const size = link.mtu - 3;
    for (let offset = 0; offset < packet.length; offset += size) await link.write(packet.subarray(offset, offset + size));
    return true;
  }

  async stop(): Promise<void> {
    this.handler = undefined;
    await Promise.all([...this.links.values()].map((link) => link.disconnect()));
    this.links.clear();
    await this.central.stop();
  }

  private attach(link: BleLink): void {
    const packets = new FramedPackets(this.framingErrors, (payload) => {
      this.handler?.({ transport: "ble", bytes: payload, claimedDeviceId: link.deviceId }).catch((error: unknown) =>
        this.logger.warn({ err: error, deviceId: link.deviceId }, "BLE frame not taken"),
      );
    });
    this.links.set(link.deviceId, link);
    link.onDisconnect(() => {
      if (this.links.get(link.deviceId) === link) this.links.delete(link.deviceId);
      this.logger.info({ deviceId: link.deviceId }, "BLE device disconnected");
    });
    link.onData((chunk) => packets.push(chunk));
  }
}
