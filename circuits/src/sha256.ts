import { createHmac, hash } from "node:crypto";

// One-shot hashing of one buffer: a Hash object per call costs more than hashing a few dozen bytes.

/** SHA-256 of `bytes`, by Node's OpenSSL (sha256.browser.ts is the browser's). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return hash("sha256", bytes, "buffer");
}

/** HMAC-SHA256 of `message` under `key`, by Node's OpenSSL. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return createHmac("sha256", key).update(message).digest();
}
