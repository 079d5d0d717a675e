// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain TypeScript, the same in Node and
// in a browser. A batch commitment hashes hundreds of messages of one or two blocks each:
// compressing a block here takes less time than one call into OpenSSL, the digests are
// small arrays the garbage collector frees cheaply (OpenSSL's come in buffers of their
// own, which it tracks one by one), and an HMAC key's padded blocks are compressed once
// for every message it authenticates.

const ROUND_CONSTANTS = Int32Array.from(
  [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ],
  (word) => word | 0,
);
const INITIAL_STATE = Int32Array.from(
  [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
  (word) => word | 0,
);
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

// Scratch for every call (hashing is synchronous): the state, the message schedule, the padded
// last blocks, and an HMAC's inner digest.
const hashState = new Int32Array(8);
const schedule = new Int32Array(64);
const lastBlocks = new Uint8Array(2 * BLOCK_BYTES);
const innerDigest = new Uint8Array(DIGEST_BYTES);

/** Folds the 64-byte block of `bytes` at `offset` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  const w = schedule;
  for (let i = 0; i < 16; i++) {
    const at = offset + 4 * i;
    w[i] =
      ((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15] as number;
    const w2 = w[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (ROUND_CONSTANTS[i] as number) + (w[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/**
 * Hashes `bytes` into `state`, which has already taken `bytesBefore` bytes (whole blocks), pads
 * the message and writes the digest into `digest`, as much of it as `digest` holds.
 */
function finish(state: Int32Array, bytes: Uint8Array, bytesBefore: number, digest: Uint8Array): Uint8Array {
  let offset = 0;
  for (; offset + BLOCK_BYTES <= bytes.length; offset += BLOCK_BYTES) compress(state, bytes, offset);
  const rest = bytes.length - offset;
  // 0x80, zeros, and the message's length in bits as a 64-bit big-endian number. Copied byte by
  // byte: a subarray of a small array would move its bytes off the heap.
  const end = rest + 9 > BLOCK_BYTES ? 2 * BLOCK_BYTES : BLOCK_BYTES;
  lastBlocks.fill(0, 0, end);
  for (let i = 0; i < rest; i++) lastBlocks[i] = bytes[offset + i] as number;
  lastBlocks[rest] = 0x80;
  const bits = (bytesBefore + bytes.length) * 8;
  const high = Math.floor(bits / 2 ** 32);
  lastBlocks[end - 8] = high >>> 24;
  lastBlocks[end - 7] = high >>> 16;
  lastBlocks[end - 6] = high >>> 8;
  lastBlocks[end - 5] = high;
  lastBlocks[end - 4] = bits >>> 24;
  lastBlocks[end - 3] = bits >>> 16;
  lastBlocks[end - 2] = bits >>> 8;
  lastBlocks[end - 1] = bits;
  compress(state, lastBlocks, 0);
  if (end > BLOCK_BYTES) compress(state, lastBlocks, BLOCK_BYTES);
  for (let i = 0; i < digest.length; i++) digest[i] = (state[i >>> 2] as number) >>> (24 - 8 * (i & 3));
  return digest;
}

/** SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): Uint8Array {
  hashState.set(INITIAL_STATE);
  return finish(hashState, bytes, 0, new Uint8Array(DIGEST_BYTES));
}

const INNER_PAD = 0x36;
const OUTER_PAD = 0x5c;

/** HMAC-SHA256 under one key, for as many messages as needed. */
export class HmacSha256 {
  /** SHA-256's state after the key's inner and outer padded blocks. */
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;

  constructor(key: Uint8Array) {
    const block = new Uint8Array(BLOCK_BYTES);
    block.set(key.length > BLOCK_BYTES ? sha256(key) : key);
    this.inner = padded(block, INNER_PAD);
    this.outer = padded(block, OUTER_PAD);
  }

  /** HMAC-SHA256 of `message`, its first `bytes` bytes (all 32 unless told). */
  mac(message: Uint8Array, bytes = DIGEST_BYTES): Uint8Array {
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > DIGEST_BYTES)
      throw new RangeError(`an HMAC-SHA256 is 1 to 32 bytes, not ${bytes}`);
    hashState.set(this.inner);
    finish(hashState, message, BLOCK_BYTES, innerDigest);
    hashState.set(this.outer);
    return finish(hashState, innerDigest, BLOCK_BYTES, new Uint8Array(bytes));
  }
}

/** SHA-256's state after the key block XORed with `pad`. */
function padded(keyBlock: Uint8Array, pad: number): Int32Array {
  const state = INITIAL_STATE.slice();
  compress(
    state,
    keyBlock.map((byte) => byte ^ pad),
    0,
  );
  return state;
}
