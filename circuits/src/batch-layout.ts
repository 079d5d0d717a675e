// The shape of the batch attestation circuit (circom/batch-attestation-main.circom). The
// TypeScript encoding and the circuit must agree on every number here.

/** Readings per claims word. */
export const SLOTS_PER_WORD = 6;
/** Claims words per batch, hashed in chunks of up to 16. */
export const WORDS_PER_BATCH = 24;
/** Most readings one batch (and one proof) can hold. */
export const BATCH_CAPACITY = SLOTS_PER_WORD * WORDS_PER_BATCH;
/** Bits of a receive-time code: the second a reading arrived in, within the batch's window. */
export const TIME_BITS = 6;
/** Bits of a value code: a stream's bounds span at most 2^32 - 1 units. */
export const VALUE_BITS = 32;
/** present, anomalous, time code, value code. */
export const SLOT_BITS = 2 + TIME_BITS + VALUE_BITS;

/** Longest receive-time window a batch may span, in whole seconds (end - start). */
export const MAX_WINDOW_SPAN_SEC = 2 ** TIME_BITS - 1;
/** Widest bounds a stream may have (max - min), in units of its scale. */
export const MAX_BOUNDS_SPAN = 2n ** BigInt(VALUE_BITS) - 1n;

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
