import { sign, verify, type KeyObject } from "node:crypto";
import { p256KeyFromPoint } from "./p256-point.js";

/**
 * Key rotation: a device that replaces its P-256 key signs the handover with the key it is
 * leaving, so anyone holding the old key's point can check that the new key came from the
 * same device. Byte layout in docs/wire-formats.md ("Key rotation").
 */

/** The handover message starts with these 32 ASCII bytes, which no frame or provisioning proof starts with. */
export const KEY_HANDOVER_TAG = "IntelLedger Edge key rotation v1";

const DEVICE_ID = /^[A-Za-z0-9._-]{1,31}$/;

/** `tag || uint8 length of the device id || device id (ASCII) || new key (65-byte uncompressed point)`. */
export function keyHandoverMessage(deviceId: string, newPublicKey: Uint8Array): Uint8Array {
  if (!DEVICE_ID.test(deviceId)) throw new RangeError("a device id is 1 to 31 characters of A-Z a-z 0-9 . _ -");
  if (newPublicKey.length !== 65 || newPublicKey[0] !== 0x04) {
    throw new RangeError("the new key is a 65-byte uncompressed P-256 point starting with 04");
  }
  return Buffer.concat([
    Buffer.from(KEY_HANDOVER_TAG, "ascii"),
    Buffer.from([deviceId.length]),
    Buffer.from(deviceId, "ascii"),
    newPublicKey,
  ]);
}

/** ECDSA P-256 by the old key over SHA-256 of the handover message, `r || s` (64 bytes). */
export function signKeyHandover(oldPrivateKey: KeyObject, deviceId: string, newPublicKey: Uint8Array): Uint8Array {
  return sign("sha256", keyHandoverMessage(deviceId, newPublicKey), { key: oldPrivateKey, dsaEncoding: "ieee-p1363" });
}

/** Whether `signature` is the old key's signature of the handover to `newPublicKey`. */
export function verifyKeyHandover(
  oldPublicKey: Uint8Array,
  deviceId: string,
  newPublicKey: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  return verify(
    "sha256",
    keyHandoverMessage(deviceId, newPublicKey),
    { key: p256KeyFromPoint(oldPublicKey), dsaEncoding: "ieee-p1363" },
    signature,
  );
}
