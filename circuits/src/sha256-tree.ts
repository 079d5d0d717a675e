import { createHash } from "node:crypto";

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
const EMPTY = Buffer.alloc(32);

/** A leaf's hash: SHA-256 over a 0x00 prefix and its bytes, so no leaf can pass for a node. */
export function sha256Leaf(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF).update(bytes).digest();
}

function node(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(NODE).update(left).update(right).digest();
}

/** A 32-byte digest as a BN254 field element: its top three bits cleared (below 2^253). */
export function digestToField(digest: Uint8Array): bigint {
  const copy = Buffer.from(digest);
  copy[0] = (copy[0] ?? 0) & 0x1f;
  return BigInt(`0x${copy.toString("hex")}`);
}

/** Binary SHA-256 Merkle tree, leaves padded with 32 zero bytes to a power of two. */
export class Sha256MerkleTree {
  private readonly levels: Buffer[][];

  constructor(leafHashes: readonly Buffer[]) {
    let level = [...leafHashes];
    const width = 2 ** Math.ceil(Math.log2(Math.max(1, level.length)));
    while (level.length < width) level.push(EMPTY);
    this.levels = [level];
    while (level.length > 1) {
      const next: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(node(level[i] as Buffer, level[i + 1] as Buffer));
      this.levels.push(next);
      level = next;
    }
  }

  get root(): Buffer {
    return this.levels.at(-1)?.[0] ?? EMPTY;
  }

  /** Sibling hashes from leaf `index` up to the root. */
  path(index: number): Buffer[] {
    const siblings: Buffer[] = [];
    let position = index;
    for (const level of this.levels.slice(0, -1)) {
      siblings.push(level[position ^ 1] as Buffer);
      position >>= 1;
    }
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
