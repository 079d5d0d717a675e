import { createHmac } from "node:crypto";
import { CircuitsError } from "./errors.js";

/** Bytes of a batch's salt seed: the gateway draws it at random when it seals the batch. */
export const SALT_SEED_BYTES = 32;
/** Bytes of a reading's details salt, and of a stream's. */
export const DETAILS_SALT_BYTES = 16;

/**
 * The salts of a batch committed with layout 2 (docs/wire-formats.md, Batch commitment), all
 * derived from the batch's secret seed by HMAC-SHA256, so the gateway sends one seed and the
 * relay derives the same salts. Nobody without the seed can guess one; a receipt carries only
 * its own reading's salt, never the seed.
 */
export class CommitmentSalts {
  private readonly seed: Buffer;

  constructor(seed: Uint8Array) {
    if (seed.length !== SALT_SEED_BYTES) {
      throw new CircuitsError(`a batch's salt seed is ${SALT_SEED_BYTES} bytes, got ${seed.length}`);
    }
    this.seed = Buffer.from(seed);
  }

  /** Reading `index`'s details salt: the first 16 bytes of HMAC(seed, "details" || uint32 index). */
  details(index: number): Buffer {
    return this.block("details", index).subarray(0, DETAILS_SALT_BYTES);
  }

  /** Stream `index`'s salt in the stream tree: the first 16 bytes of HMAC(seed, "stream" || uint32 index). */
  stream(index: number): Buffer {
    return this.block("stream", index).subarray(0, DETAILS_SALT_BYTES);
  }

  /**
   * `count` bits that fill the code bits no reading uses: the blocks HMAC(seed, "padding" ||
   * uint32 j), j = 0, 1, …, one after the other, read as one little-endian integer.
   */
  padding(count: number): bigint {
    const blocks = Array.from({ length: Math.ceil(count / 256) }, (_, j) => this.block("padding", j));
    const bits = BigInt(`0x${Buffer.concat(blocks).reverse().toString("hex") || "0"}`);
    return bits & ((1n << BigInt(count)) - 1n);
  }

  private block(label: string, index: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(index);
    return createHmac("sha256", this.seed).update(label, "ascii").update(counter).digest();
  }
}
