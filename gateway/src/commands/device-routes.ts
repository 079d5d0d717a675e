import type { FrameTransport } from "../ingest/frame-transport.js";

/**
 * Which transport reaches each device: the one its last accepted frame came through.
 * Commands follow the device, whichever link it is on now.
 */
export class DeviceRoutes {
  private readonly byName: Map<string, FrameTransport>;
  private readonly lastTransport = new Map<string, string>();

  constructor(transports: readonly FrameTransport[]) {
    this.byName = new Map(transports.map((transport) => [transport.name, transport]));
  }

  noteFrom(deviceId: string, transportName: string): void {
    this.lastTransport.set(deviceId, transportName);
  }

  /** Sends through the device's current transport; false if it was never heard from or is out of reach. */
  async send(deviceId: string, signedCommand: Uint8Array): Promise<boolean> {
    const transport = this.byName.get(this.lastTransport.get(deviceId) ?? "");
    return transport ? transport.sendCommand(deviceId, signedCommand) : false;
  }
}
