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

/** The 65-byte uncompressed point of a P-256 key (public, or the public half of a private one). */
export function publicKeyPointOf(key: KeyObject): Uint8Array {
  const jwk = (key.type === "private" ? createPublicKey(key) : key).export({ format: "jwk" });
  return Uint8Array.from(
    Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x ?? "", "base64url"), Buffer.from(jwk.y ?? "", "base64url")]),
  );
}
