import { createPublicKey, type KeyObject } from "node:crypto";
import { GatewayError } from "../errors.js";

/**
 * A device's P-256 public key from the 65-byte uncompressed point (0x04 || X || Y)
 * that mbedTLS exports on the device.
 */
export function devicePublicKeyFromPoint(point: Uint8Array): KeyObject {
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new GatewayError("a device public key must be a 65-byte uncompressed P-256 point", { length: point.length });
  }
  const bytes = Buffer.from(point);
  try {
    return createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: bytes.subarray(1, 33).toString("base64url"),
        y: bytes.subarray(33).toString("base64url"),
      },
      format: "jwk",
    });
  } catch (cause) {
    throw new GatewayError("the device public key is not a point on P-256", {}, { cause });
  }
}
