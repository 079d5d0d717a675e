import { PoseidonMerkleTree } from "./merkle-tree.js";
import type { PoseidonHasher } from "./poseidon-hasher.js";
import { readingLeaf, type CommittedReading } from "./reading-commitment.js";

/** The Merkle tree a batch's readings_root is the root of, leaves in the batch's order. */
export function readingsTree(hasher: PoseidonHasher, readings: readonly CommittedReading[]): PoseidonMerkleTree {
  return PoseidonMerkleTree.build(
    hasher,
    readings.map((reading) => readingLeaf(hasher, reading)),
  );
}
