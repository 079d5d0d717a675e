import type { AnchorLeaf, UnanchoredBatch } from "../src/store/anchor-ledger.js";

/** Batches as the leaves of an anchor a test makes up: its root and these paths are not a tree's. */
export function madeUpLeaves(batches: readonly UnanchoredBatch[]): AnchorLeaf[] {
  return batches.map((batch) => ({ ...batch, siblings: [] }));
}
