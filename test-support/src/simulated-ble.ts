import { DEFAULT_ATT_MTU, type BleCentral, type BleLink } from "@intelledger/gateway/ble";

/**
 * A BLE peripheral without a radio: what it notifies reaches the central's link in
 * chunks of at most MTU - 3 bytes, as over the air, and what the central writes arrives
 * at `onWrite`.
 */
export class SimulatedPeripheral {
  readonly deviceId: string;
  readonly mtu: number;
  private dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private disconnectListeners: (() => void)[] = [];
  private writeListener: ((chunk: Uint8Array) => void) | undefined;
  connected = false;
  /** Links made so far; only the latest is connected. */
  private connections = 0;

  constructor(deviceId: string, mtu = DEFAULT_ATT_MTU) {
    this.deviceId = deviceId;
    this.mtu = mtu;
  }

  /** Sends bytes to the central by notifications. */
  notify(bytes: Uint8Array): void {
    if (!this.connected) throw new Error(`${this.deviceId} is not connected`);
    const size = this.mtu - 3;
    for (let offset = 0; offset < bytes.length; offset += size) {
      const chunk = bytes.slice(offset, offset + size);
      for (const listener of this.dataListeners) listener(chunk);
    }
  }

  onWrite(listener: (chunk: Uint8Array) => void): void {
    this.writeListener = listener;
  }

  /** Goes out of range. */
  drop(): void {
    this.connected = false;
    for (const listener of this.disconnectListeners) listener();
  }

  link(): BleLink {
    this.connected = true;
    this.dataListeners = [];
    this.disconnectListeners = [];
    const connection = ++this.connections;
    return {
      deviceId: this.deviceId,
      mtu: this.mtu,
      onData: (listener) => this.dataListeners.push(listener),
      onDisconnect: (listener) => this.disconnectListeners.push(listener),
      write: async (chunk) => {
        // A link that went away cannot write, even when the peripheral has connected again since.
        if (!this.connected || connection !== this.connections) throw new Error(`${this.deviceId} is not connected on this link`);
        if (chunk.length > this.mtu - 3) throw new Error(`write of ${chunk.length} bytes exceeds the MTU`);
        this.writeListener?.(chunk);
        await Promise.resolve();
      },
      disconnect: async () => {
        this.drop();
        await Promise.resolve();
      },
    };
  }
}

/** A central that "discovers" the peripherals it is given. */
export class SimulatedBleCentral implements BleCentral {
  private onLink: ((link: BleLink) => void) | undefined;
  private readonly peripherals: SimulatedPeripheral[] = [];

  /** A peripheral comes into range (again): the central connects to it. */
  advertise(peripheral: SimulatedPeripheral): void {
    if (!this.peripherals.includes(peripheral)) this.peripherals.push(peripheral);
    if (this.onLink && !peripheral.connected) this.onLink(peripheral.link());
  }

  async start(onLink: (link: BleLink) => void): Promise<void> {
    this.onLink = onLink;
    for (const peripheral of this.peripherals) this.advertise(peripheral);
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    this.onLink = undefined;
    await Promise.resolve();
  }
}
