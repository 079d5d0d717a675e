import { hexlify } from "ethers";
import secp256k1 from "secp256k1";

/**
 * The uncompressed public key (0x-hex) that made the 64-byte signature r || s of `digest`,
 * through the native libsecp256k1 (prebuilt for x86-64; elsewhere the package falls back to a
 * JavaScript implementation). A relay checks one signature per batch, so this is on its hot
 * path: about 40 µs natively against 1.6 ms in pure JavaScript.
 */
export function recoverPublicKey(digest: Uint8Array, signature: Uint8Array, recoveryId: 0 | 1): string {
  return hexlify(secp256k1.ecdsaRecover(signature, recoveryId, digest, false));
}
