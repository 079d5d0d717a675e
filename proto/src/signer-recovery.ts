import { computeAddress, hexlify } from "ethers";
import secp256k1 from "secp256k1";

/**
 * The address that signed a 32-byte digest (r || s || v, v 27/28 or 0/1), through the
 * native libsecp256k1 (prebuilt for x86-64; elsewhere the package falls back to a
 * JavaScript implementation). A relay checks one signature per batch, so this is on its
 * hot path: about 40 µs natively against 1.6 ms in pure JavaScript.
 */
export function recoverSignerAddress(digest: Uint8Array, signature: Uint8Array): string {
  if (signature.length !== 65) throw new RangeError(`a signature is 65 bytes, got ${signature.length}`);
  const v = signature[64] as number;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) throw new RangeError(`invalid signature recovery byte ${v}`);
  const publicKey = secp256k1.ecdsaRecover(signature.subarray(0, 64), recoveryId, digest, false);
  return computeAddress(hexlify(publicKey));
}
