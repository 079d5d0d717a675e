import { hash } from "node:crypto";

// One-shot hashing of one buffer: a Hash object per call costs more than hashing a few dozen bytes.

/** SHA-256 of `bytes`, by Node's OpenSSL (sha256.browser.ts is the browser's). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return hash("sha256", bytes, "buffer");
}
