import { hexlify, SigningKey } from "ethers";

/** The public key that made the signature r || s of `digest`, in a browser: ethers' (noble's) secp256k1, already in any bundle that holds ethers. */
export function recoverPublicKey(digest: Uint8Array, signature: Uint8Array, recoveryId: 0 | 1): string {
  return SigningKey.recoverPublicKey(digest, {
    r: hexlify(signature.subarray(0, 32)),
    s: hexlify(signature.subarray(32, 64)),
    v: 27 + recoveryId,
  });
}
