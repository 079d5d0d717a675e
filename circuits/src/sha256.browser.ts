import { computeHmac, getBytes, sha256 as sha256Hex } from "ethers";

/** SHA-256 of `bytes`, in a browser: ethers' (noble's) synchronous implementation, as Web Crypto's is asynchronous only. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return getBytes(sha256Hex(bytes));
}

/** HMAC-SHA256 of `message` under `key`, in a browser: ethers' synchronous implementation. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return getBytes(computeHmac("sha256", key, message));
}
