import { bytesToBigInt, writeUint32 } from "./big-endian.js";
import { CircuitsError } from "./errors.js";
import { HmacSha256 } from "./sha256.js";

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
  private readonly hmac: HmacSha256;

  constructor(seed: Uint8Array) {
    if (seed.length !== SALT_SEED_BYTES) {
      throw new CircuitsError(`a batch's salt seed is ${SALT_SEED_BYTES} bytes, got ${seed.length}`);
    }
    this.hmac = new HmacSha256(seed);
  }

  /** Reading `index`'s details salt: the first 16 bytes of HMAC(seed, "details" || uint32 index). */
  details(index: number): Uint8Array {
    return this.block("details", index, DETAILS_SALT_BYTES);
  }

  /** Stream `index`'s salt in the stream tree: the first 16 bytes of HMAC(seed, "stream" || uint32 index). */
  stream(index: number): Uint8Array {
    return this.block("stream", index, DETAILS_SALT_BYTES);
  }

  /**
   * `count` bits that fill the code bits no reading uses: the blocks HMAC(seed, "padding" ||
   * uint32 j), j = 0, 1, …, one after the other, read as one little-endian integer.
   */
  padding(count: number): bigint {
    const blocks = Array.from({ length: Math.ceil(count / 256) }, (_, j) => this.block("padding", j));
    const bytes = new Uint8Array(blocks.length * 32);
    blocks.forEach((block, j) => bytes.set(block, j * 32));
    return bytesToBigInt(bytes.reverse()) & ((1n << BigInt(count)) - 1n);
  }

  /** HMAC(seed, label || uint32 index), its first `bytes` bytes. */
  private block(label: Label, index: number, bytes = 32): Uint8Array {
    const message = MESSAGES[label];
    writeUint32(message.view, index, label.length);
    return this.hmac.mac(message.bytes, bytes);
  }
}

type Label = "details" | "stream" | "padding";

/** One message buffer per label, the label written once (ASCII, one byte per character) and the index after it per call. */
const MESSAGES = Object.fromEntries(
  (["details", "stream", "padding"] as const).map((label) => {
    const bytes = new Uint8Array(label.length + 4);
    for (let c = 0; c < label.length; c++) bytes[c] = label.charCodeAt(c);
    return [label, { bytes, view: new DataView(bytes.buffer) }];
  }),
) as Record<Label, { bytes: Uint8Array; view: DataView }>;
