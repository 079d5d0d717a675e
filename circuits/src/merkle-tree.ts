import type { PoseidonHasher } from "./poseidon-hasher.js";

/** Where a leaf sits and the sibling hashes from it up to the root. */
export interface MerklePath {
  leafIndex: number;
  siblings: bigint[];
}

/**
 * Binary Poseidon Merkle tree. Leaves are padded with zeros to the next power of two,
 * so the depth (and the path length) is ceil(log2(leaf count)).
 */
export class PoseidonMerkleTree {
  readonly root: bigint;
  readonly depth: number;
  readonly leafCount: number;
  private readonly levels: bigint[][];

  private constructor(levels: bigint[][], leafCount: number) {
    this.levels = levels;
    this.leafCount = leafCount;
    this.depth = levels.length - 1;
    this.root = levels[this.depth]?.[0] ?? 0n;
  }

  static build(hasher: PoseidonHasher, leaves: readonly bigint[]): PoseidonMerkleTree {
    if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
    let level = [...leaves];
    const width = 2 ** Math.ceil(Math.log2(leaves.length));
    while (level.length < width) level.push(0n);
    const levels = [level];
    while (level.length > 1) {
      const next: bigint[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(hasher.hash([level[i] as bigint, level[i + 1] as bigint]));
      levels.push(next);
      level = next;
    }
    return new PoseidonMerkleTree(levels, leaves.length);
  }

  leaf(index: number): bigint {
    this.checkIndex(index);
    return this.levels[0]?.[index] as bigint;
  }

  path(leafIndex: number): MerklePath {
    this.checkIndex(leafIndex);
    const siblings: bigint[] = [];
    let index = leafIndex;
    for (let level = 0; level < this.depth; level++) {
      siblings.push(this.levels[level]?.[index ^ 1] as bigint);
      index >>= 1;
    }
    return { leafIndex, siblings };
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.leafCount) {
      throw new RangeError(`leaf index ${index} outside 0..${this.leafCount - 1}`);
    }
  }
}

/** The root a leaf and its path lead to; equal to the tree's root only if both are genuine. */
export function rootFromPath(hasher: PoseidonHasher, leaf: bigint, path: MerklePath): bigint {
  let node = leaf;
  let index = path.leafIndex;
  for (const sibling of path.siblings) {
    node = index & 1 ? hasher.hash([sibling, node]) : hasher.hash([node, sibling]);
    index >>= 1;
  }
  if (index !== 0) throw new RangeError(`leaf index ${path.leafIndex} does not fit a path of ${path.siblings.length} siblings`);
  return node;
}
