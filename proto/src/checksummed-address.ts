import { getAddress } from "ethers";

/** Addresses already checked, by the string given: a relay sees the same few gateways' addresses batch after batch. */
const known = new Map<string, string>();
const ADDRESSES_REMEMBERED = 4_096;

/**
 * `address` in its EIP-55 checksummed form, as ethers' getAddress gives it (and refuses what it
 * refuses), each distinct string checked once: a checksum costs a Keccak-256 of the address.
 */
export function checksummedAddress(address: string): string {
  const remembered = known.get(address);
  if (remembered !== undefined) return remembered;
  const checksummed = getAddress(address);
  if (known.size >= ADDRESSES_REMEMBERED) known.clear();
  known.set(address, checksummed);
  return checksummed;
}
