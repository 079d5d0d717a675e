/** The IntelLedger GATT service and its characteristics (see docs/wire-formats.md). */
export const INTELLEDGER_SERVICE_UUID = "6e1f0001-8c3b-4f62-9c4e-1d2a3b4c5d6e";
/** Notify: device to gateway, the serial framing as a byte stream. */
export const FRAME_CHARACTERISTIC_UUID = "6e1f0002-8c3b-4f62-9c4e-1d2a3b4c5d6e";
/** Write: gateway to device, signed commands in the same framing. */
export const COMMAND_CHARACTERISTIC_UUID = "6e1f0003-8c3b-4f62-9c4e-1d2a3b4c5d6e";
/** The smallest ATT MTU; a write carries at most MTU - 3 bytes. */
export const DEFAULT_ATT_MTU = 23;

/** A connected device: bytes arriving by notification, bytes sent by writes. */
export interface BleLink {
  /** The device id it advertises as its local name. */
  readonly deviceId: string;
  readonly mtu: number;
  onData(listener: (chunk: Uint8Array) => void): void;
  onDisconnect(listener: () => void): void;
  write(chunk: Uint8Array): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Finds devices advertising the IntelLedger service, connects to them and subscribes to
 * their frames; reconnects when one comes back. BlueZ implements it on a real adapter,
 * a simulation where there is no radio.
 */
export interface BleCentral {
  /** `failed`: told when the central cannot go on (the adapter or BlueZ went away). */
  start(onLink: (link: BleLink) => void, failed?: (error: Error) => void): Promise<void>;
  stop(): Promise<void>;
}
