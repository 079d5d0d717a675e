import type { FrameSource, RejectionReason } from "../acceptance/frame-acceptor.js";

export type TransportName = "mqtt" | "serial" | "ble";

/**
 * Bytes of one signed frame as a transport received them, with what the link knows of
 * their sender: the device it claims to be (MQTT topic, BLE peripheral), checked against
 * the frame, and the device the link authenticated (an MQTT login), if any.
 */
export interface IncomingFrame extends FrameSource {
  transport: TransportName;
  bytes: Uint8Array;
}

export type IngestOutcome =
  { accepted: true; deviceId: string } | { accepted: false; reason: RejectionReason; detail: string; deviceId?: string };

/**
 * Resolves only once an accepted frame is durable, so a transport may acknowledge it
 * then. Rejects when the frame cannot be taken now (disk quota reached, device over its
 * rate or quarantined): the transport must not acknowledge it, so the device keeps it
 * and retries.
 */
export type FrameHandler = (frame: IncomingFrame) => Promise<IngestOutcome>;

/** One way devices reach the gateway; every transport hands frames to the same handler. */
export interface FrameTransport {
  readonly name: TransportName;
  /**
   * `failed`: how the transport says it broke after it started (its adapter gone); the
   * gateway then stops it and starts it again.
   */
  start(handler: FrameHandler, failed?: (error: Error) => void): Promise<void>;
  /** Sends a signed command to a device; false when this transport cannot reach it now. */
  sendCommand(deviceId: string, signedCommand: Uint8Array): Promise<boolean>;
  stop(): Promise<void>;
}
