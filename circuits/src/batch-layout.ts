// The shape of the batch attestation circuit (circom/batch-attestation-main.circom). The
// TypeScript encoding and the circuit must agree on every number here.
//
// A batch's claims are 24 words: 3 header words of 124 two-bit headers (present, anomalous),
// one per reading slot, then 21 code words of 252 bits that carry, reading after reading, each
// reading's receive-time code and value code, each as wide as its range needs.

/** Reading headers per header word (2 bits each). */
export const HEADERS_PER_WORD = 124;
/** Header words per batch. */
export const HEADER_WORDS = 3;
/** Bits per code word. */
export const CODE_WORD_BITS = 252;
/** Code words per batch. */
export const CODE_WORDS = 21;
/** Claims words per batch, hashed in chunks of up to 16. */
export const WORDS_PER_BATCH = HEADER_WORDS + CODE_WORDS;
/** Most readings one batch (and one proof) can hold. */
export const BATCH_CAPACITY = HEADERS_PER_WORD * HEADER_WORDS;
/** Bits all readings' codes share: a batch ends when the next reading's codes would not fit. */
export const CODE_BITS = CODE_WORD_BITS * CODE_WORDS;
/** Bits of the window's span check: a batch's readings arrive within 2^6 - 1 s of each other. */
export const TIME_BITS = 6;

/** Longest receive-time window a batch may span, in whole seconds (end - start). */
export const MAX_WINDOW_SPAN_SEC = 2 ** TIME_BITS - 1;
/** Widest bounds a stream may have (max - min), in units of its scale: any int32 bounds. */
export const MAX_BOUNDS_SPAN = 2n ** 32n - 1n;

/** The second (since the Unix epoch) a receive time in milliseconds falls in. */
export function receiveSecond(receivedAtMs: number): number {
  return Math.floor(receivedAtMs / 1000);
}

/** The order of the circuit's public signals, as snarkjs lists them. */
export const PUBLIC_SIGNALS = [
  "batchRoot",
  "gatewayId",
  "windowStartSec",
  "windowEndSec",
  "readingCount",
  "anomalyCount",
  "streamsHash",
] as const;
export type PublicSignalName = (typeof PUBLIC_SIGNALS)[number];

/** Widest code of one reading: its time code (TIME_BITS) and a value code over any int32 bounds (32 bits). */
export const MAX_CODE_WIDTH = TIME_BITS + 32;

/** The order of the reading disclosure circuit's public signals (circom/reading-disclosure.circom). */
export const DISCLOSURE_PUBLIC_SIGNALS = ["claimsRoot", "index", "header", "codeOffset", "width", "code"] as const;
export type DisclosureSignalName = (typeof DISCLOSURE_PUBLIC_SIGNALS)[number];
