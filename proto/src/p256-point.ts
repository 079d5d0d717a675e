import { createPublicKey, type KeyObject } from "node:crypto";

/**
 * A P-256 public key from the 65-byte uncompressed point (0x04 || X || Y): how devices
 * export their key (mbedTLS) and how the gateway's command key is provisioned to them.
 * Throws a RangeError saying what is wrong with the bytes.
 */
export function p256KeyFromPoint(point: Uint8Array): KeyObject {
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new RangeError(`a P-256 public key is a 65-byte uncompressed point starting with 04, got ${point.length} bytes`);
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
    throw new RangeError("the bytes are not a point on P-256", { cause });
  }
}

/** The 65-byte uncompressed point of a P-256 key (public, or the public half of a private one). */
export function p256PointOf(key: KeyObject): Uint8Array {
  const jwk = (key.type === "private" ? createPublicKey(key) : key).export({ format: "jwk" });
  return Uint8Array.from(
    Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x ?? "", "base64url"), Buffer.from(jwk.y ?? "", "base64url")]),
  );
}
