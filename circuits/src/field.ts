import { bigIntToBytes, bytesToBigInt } from "./big-endian.js";

/** Order of the BN254 scalar field, in which circom circuits and Poseidon compute. */
export const SNARK_FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A field element as 32 big-endian bytes, the form roots take on the wire and on chain. */
export function fieldToBytes32(value: bigint): Uint8Array {
  if (value < 0n || value >= SNARK_FIELD_MODULUS) throw new RangeError(`not a field element: ${value}`);
  return bigIntToBytes(value, 32);
}

export function bytes32ToField(bytes: Uint8Array): bigint {
  if (bytes.length !== 32) throw new RangeError(`a field element takes 32 bytes, got ${bytes.length}`);
  const value = bytesToBigInt(bytes);
  if (value >= SNARK_FIELD_MODULUS) throw new RangeError("32 bytes beyond the field modulus");
  return value;
}
