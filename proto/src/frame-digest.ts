import { createHash } from "node:crypto";

/**
 * How a FrameAck names the frame it answers on serial and BLE: SHA-256 of the encoded
 * SignedFrame exactly as it travelled (DeviceMessage.signed_frame).
 */
export function frameSha256(signedFrame: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(signedFrame).digest());
}
