import { beforeAll, describe, expect, it } from "vitest";
import { PoseidonMerkleTree, rootFromPath } from "./merkle-tree.js";
import { loadPoseidon, type PoseidonHasher } from "./poseidon-hasher.js";

let hasher: PoseidonHasher;
beforeAll(async () => {
  hasher = await loadPoseidon();
});

describe("Poseidon", () => {
  it("matches circomlib's published test vector for Poseidon(1, 2)", () => {
    expect(hasher.hash([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });
});

describe("PoseidonMerkleTree", () => {
  const leaves = [11n, 22n, 33n, 44n, 55n];

  it("pads to a power of two and hashes pairs level by level", () => {
    const tree = PoseidonMerkleTree.build(hasher, leaves);
    const h = (a: bigint, b: bigint) => hasher.hash([a, b]);
    const expected = h(h(h(11n, 22n), h(33n, 44n)), h(h(55n, 0n), h(0n, 0n)));
    expect(tree.depth).toBe(3);
    expect(tree.root).toBe(expected);
  });

  it("a single leaf is its own root", () => {
    expect(PoseidonMerkleTree.build(hasher, [9n]).root).toBe(9n);
  });

  it("every leaf's path leads back to the root", () => {
    const tree = PoseidonMerkleTree.build(hasher, leaves);
    leaves.forEach((leaf, index) => {
      expect(rootFromPath(hasher, leaf, tree.path(index))).toBe(tree.root);
    });
  });

  it("a changed leaf, sibling or position leads elsewhere", () => {
    const tree = PoseidonMerkleTree.build(hasher, leaves);
    const path = tree.path(2);
    expect(rootFromPath(hasher, 34n, path)).not.toBe(tree.root);
    expect(rootFromPath(hasher, 33n, { ...path, leafIndex: 3 })).not.toBe(tree.root);
    const siblings = [...path.siblings];
    siblings[1] = (siblings[1] as bigint) + 1n;
    expect(rootFromPath(hasher, 33n, { ...path, siblings })).not.toBe(tree.root);
  });

  it("refuses an empty tree, an index out of range and a path too short for its index", () => {
    expect(() => PoseidonMerkleTree.build(hasher, [])).toThrow(/at least one leaf/);
    const tree = PoseidonMerkleTree.build(hasher, leaves);
    expect(() => tree.path(5)).toThrow(/outside 0..4/);
    expect(() => rootFromPath(hasher, 11n, { leafIndex: 8, siblings: tree.path(0).siblings })).toThrow(/does not fit/);
  });
});
