import { keccak256 } from "ethers";
import { recoverPublicKey } from "#secp256k1";
import { checksummedAddress } from "./checksummed-address.js";

/**
 * The address that signed a 32-byte digest (r || s || v, v 27/28 or 0/1): in Node through the
 * native libsecp256k1 (secp256k1.ts), in a browser through ethers (secp256k1.browser.ts).
 */
export function recoverSignerAddress(digest: Uint8Array, signature: Uint8Array): string {
  if (signature.length !== 65) throw new RangeError(`a signature is 65 bytes, got ${signature.length}`);
  const v = signature[64] as number;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) throw new RangeError(`invalid signature recovery byte ${v}`);
  // The address is the last 20 bytes of the Keccak-256 of the key's x || y (after its 0x04 prefix), as
  // ethers' computeAddress has it, without parsing the point again: the recovery gave a valid one.
  const publicKey = recoverPublicKey(digest, signature.subarray(0, 64), recoveryId);
  return checksummedAddress(`0x${keccak256(`0x${publicKey.substring(4)}`).substring(26)}`);
}
