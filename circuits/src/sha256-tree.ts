import { hash } from "node:crypto";

const LEAF_PREFIX = 0;
const NODE_PREFIX = 1;
const EMPTY = Buffer.alloc(32);

// One-shot hashing of one buffer: a Hash object per call costs more than hashing a few dozen bytes.

/**
 * A leaf's hash: SHA-256 over a 0x00 prefix and its bytes, so no leaf can pass for a node. The
 * caller writes the leaf from byte 1 on and leaves byte 0 to the prefix, so it is not copied.
 */
export function sha256Leaf(bytes: Buffer): Buffer {
  bytes[0] = LEAF_PREFIX;
  return hash("sha256", bytes, "buffer");
}

function node(left: Uint8Array, right: Uint8Array): Buffer {
  const pair = Buffer.allocUnsafe(65);
  pair[0] = NODE_PREFIX;
  pair.set(left, 1);
  pair.set(right, 33);
  return hash("sha256", pair, "buffer");
}

/** A 32-byte digest as a BN254 field element: its top three bits cleared (below 2^253). */
export function digestToField(digest: Uint8Array): bigint {
  const copy = Buffer.from(digest);
  copy[0] = (copy[0] ?? 0) & 0x1f;
  return BigInt(`0x${copy.toString("hex")}`);
}

/** The root of a subtree of padding only, per height: 32 zero bytes, then each the node of two of the one below. */
const paddingRoots: Buffer[] = [EMPTY];

function paddingRoot(height: number): Buffer {
  for (let h = paddingRoots.length; h <= height; h++) {
    const below = paddingRoots[h - 1] as Buffer;
    paddingRoots.push(node(below, below));
  }
  return paddingRoots[height] as Buffer;
}

/**
 * Binary SHA-256 Merkle tree, leaves padded with 32 zero bytes to a power of two. Only the
 * nodes over at least one leaf are hashed: a subtree of padding has the same root wherever
 * it sits, worked out once per height.
 */
export class Sha256MerkleTree {
  /** Per level from the leaves up, the nodes over at least one leaf. */
  private readonly levels: Buffer[][];

  constructor(leafHashes: readonly Buffer[]) {
    let level = leafHashes.length > 0 ? [...leafHashes] : [EMPTY];
    this.levels = [level];
    for (let height = 0; level.length > 1; height++) {
      const next: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(node(level[i] as Buffer, level[i + 1] ?? paddingRoot(height)));
      this.levels.push(next);
      level = next;
    }
  }

  get root(): Buffer {
    return this.levels.at(-1)?.[0] as Buffer;
  }

  /** Sibling hashes from leaf `index` up to the root. */
  path(index: number): Buffer[] {
    const siblings: Buffer[] = [];
    let position = index;
    this.levels.slice(0, -1).forEach((level, height) => {
      siblings.push(level[position ^ 1] ?? paddingRoot(height));
      position >>= 1;
    });
    return siblings;
  }
}

/** The root a leaf hash and its sibling path lead to. */
export function sha256RootFromPath(leafHash: Uint8Array, index: number, siblings: readonly Uint8Array[]): Buffer {
  let hash: Buffer = Buffer.from(leafHash);
  let position = index;
  for (const sibling of siblings) {
    hash = position & 1 ? node(sibling, hash) : node(hash, sibling);
    position >>= 1;
  }
  return hash;
}
