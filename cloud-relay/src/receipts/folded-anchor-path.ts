import { bytes32ToField, fieldToBytes32, PoseidonMerkleTree, type PoseidonHasher } from "@intelledger/circuits";
import type { BatchAnchoring, BatchLedger } from "../store/batch-ledger.js";

/**
 * A batch's path in its anchor (the siblings, leaf level first), folded anew from the roots of
 * the anchor's batches: for batches anchored before the relay kept each one's path.
 */
export async function foldedAnchorPath(
  batches: BatchLedger,
  hasher: PoseidonHasher,
  anchoring: Pick<BatchAnchoring, "anchorId" | "position">,
): Promise<Uint8Array[]> {
  const roots = (await batches.byAnchor(anchoring.anchorId)).map((member) => bytes32ToField(member.readingsRoot));
  return PoseidonMerkleTree.build(hasher, roots).path(anchoring.position).siblings.map(fieldToBytes32);
}
