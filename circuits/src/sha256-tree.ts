import { sha256 } from "./sha256.js";
import { bytesToBigInt } from "./big-endian.js";

const LEAF_PREFIX = 0;
const NODE_PREFIX = 1;
const EMPTY = new Uint8Array(32);

/**
 * A leaf's hash: SHA-256 over a 0x00 prefix and its bytes, so no leaf can pass for a node. The
 * caller writes the leaf from byte 1 on and leaves byte 0 to the prefix, so it is not copied.
 */
export function sha256Leaf(bytes: Uint8Array): Uint8Array {
  bytes[0] = LEAF_PREFIX;
  return sha256(bytes);
}

// One buffer for every node: a node is hashed as soon as its children are written.
const pair = new Uint8Array(65);

function node(left: Uint8Array, right: Uint8Array): Uint8Array {
  pair[0] = NODE_PREFIX;
  pair.set(left, 1);
  pair.set(right, 33);
  return sha256(pair);
}

const TOP_THREE_BITS_CLEAR = (1n << 253n) - 1n;

/** A 32-byte digest as a BN254 field element: its top three bits cleared (below 2^253). */
export function digestToField(digest: Uint8Array): bigint {
  return bytesToBigInt(digest) & TOP_THREE_BITS_CLEAR;
}

/** The root of a subtree of padding only, per height: 32 zero bytes, then each the node of two of the one below. */
const paddingRoots: Uint8Array[] = [EMPTY];

function paddingRoot(height: number): Uint8Array {
  for (let h = paddingRoots.length; h <= height; h++) {
    const below = paddingRoots[h - 1] as Uint8Array;
    paddingRoots.push(node(below, below));
  }
  return paddingRoots[height] as Uint8Array;
}

/**
 * Binary SHA-256 Merkle tree, leaves padded with 32 zero bytes to a power of two. Only the
 * nodes over at least one leaf are hashed: a subtree of padding has the same root wherever
 * it sits, worked out once per height.
 */
export class Sha256MerkleTree {
  /** Per level from the leaves up, the nodes over at least one leaf. */
  private readonly levels: Uint8Array[][];

  constructor(leafHashes: readonly Uint8Array[]) {
    let level = leafHashes.length > 0 ? [...leafHashes] : [EMPTY];
    this.levels = [level];
    for (let height = 0; level.length > 1; height++) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(node(level[i] as Uint8Array, level[i + 1] ?? paddingRoot(height)));
      this.levels.push(next);
      level = next;
    }
  }

  get root(): Uint8Array {
    return this.levels.at(-1)?.[0] as Uint8Array;
  }

  /** Sibling hashes from leaf `index` up to the root. */
  path(index: number): Uint8Array[] {
    const siblings: Uint8Array[] = [];
    let position = index;
    this.levels.slice(0, -1).forEach((level, height) => {
      siblings.push(level[position ^ 1] ?? paddingRoot(height));
      position >>= 1;
    });
    return siblings;
  }
}

/** The root a leaf hash and its sibling path lead to. */
export function sha256RootFromPath(leafHash: Uint8Array, index: number, siblings: readonly Uint8Array[]): Uint8Array {
  let hash = leafHash;
  let position = index;
  for (const sibling of siblings) {
    hash = position & 1 ? node(sibling, hash) : node(hash, sibling);
    position >>= 1;
  }
  return hash;
}
