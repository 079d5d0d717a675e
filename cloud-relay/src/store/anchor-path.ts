import { RelayError } from "../errors.js";

/** A node of an anchor's Poseidon tree, as a bytes32. */
const NODE_BYTES = 32;

/** The column a batch's anchor path is kept in: its siblings' 32 bytes each, leaf level first. */
export function anchorPathColumn(siblings: readonly Uint8Array[]): Uint8Array {
  for (const sibling of siblings) {
    if (sibling.length !== NODE_BYTES)
      throw new RelayError("internal", `an anchor path's node is ${NODE_BYTES} bytes, not ${sibling.length}`);
  }
  return Buffer.concat(siblings);
}

/** The siblings an anchor path column holds. */
export function anchorPathOf(column: Uint8Array): Uint8Array[] {
  if (column.length % NODE_BYTES !== 0)
    throw new RelayError("internal", `an anchor path of ${column.length} bytes is not whole nodes`);
  return Array.from({ length: column.length / NODE_BYTES }, (_, level) =>
    Uint8Array.from(column.subarray(level * NODE_BYTES, (level + 1) * NODE_BYTES)),
  );
}
