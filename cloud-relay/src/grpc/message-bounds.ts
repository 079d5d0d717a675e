/**
 * The largest message a gateway may legally send, from the wire format (relay.proto) and the
 * relay's batch limit, so that anything bigger is refused from its 5-byte gRPC length prefix,
 * before a byte of it is buffered or decoded.
 *
 * Every field is counted at its widest encoding: a tag byte (all field numbers are below 16),
 * 10 bytes for a 64-bit varint, an enum or a negative int32, 5 for other 32-bit varints,
 * a length varint before strings, bytes and messages.
 */
const VARINT64 = 1 + 10;
const VARINT32 = 1 + 5;
const BOOL = 1 + 1;
const lengthDelimited = (bytes: number) => 1 + varintLength(bytes) + bytes;

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/** A device id is at most 31 characters (see docs/wire-formats.md); a gateway id is a checksummed address. */
const DEVICE_ID = lengthDelimited(31);
const SIGNATURE = lengthDelimited(65);
const HASH = lengthDelimited(32);

/** Reading: gateway_seq, device_id, frame_counter, channel, channel_index, sampled_at, received_at, value, scale, time_uncertain, received_boot, received_uptime, anomalous. */
const READING =
  VARINT64 + DEVICE_ID + VARINT64 + VARINT64 + VARINT32 + VARINT64 * 2 + VARINT32 * 2 + BOOL + VARINT32 + VARINT64 + BOOL;
/** StreamBounds: device_id, channel, channel_index, scale, min, max. */
const STREAM_BOUNDS = DEVICE_ID + VARINT64 + VARINT32 * 4;
/** ReadingRollup: device_id, channel, channel_index, scale, count, min, max, sum, two sample times, two frame counters. */
const ROLLUP = DEVICE_ID + VARINT64 + VARINT32 * 3 + VARINT64 * 3 + VARINT64 * 2 + VARINT64 * 2;
/** Batch without its readings: gateway_id, sequence, previous hash, root, sealed_at, data_class, reading_count, first and last gateway_seq, salt seed. */
const BATCH_HEADER = lengthDelimited(42) + VARINT64 + HASH + HASH + VARINT64 + VARINT32 * 2 + VARINT64 * 2 + HASH;
/** Pruned without its rollups, and its signature: reason, pruned_at. */
const PRUNE_RECORD = VARINT64 + VARINT64 + SIGNATURE;
/** Room for the envelopes (UploadRequest, SignedBatch, Pruned) around the parts above. */
const ENVELOPES = 3 * (1 + 5);
/** A proof is snarkjs JSON of three points and seven decimal public signals: well under this. */
const PROOF_MESSAGE = 16 * 1024;

/**
 * The largest UploadRequest carrying a legal batch of `maxReadingsPerBatch` readings, with
 * the bounds of one stream per reading at most (or its prune record, with one rollup per
 * reading at most).
 */
export function largestLegalUpload(maxReadingsPerBatch: number): number {
  const readings = maxReadingsPerBatch * (lengthDelimited(READING) + lengthDelimited(STREAM_BOUNDS));
  const rollups = maxReadingsPerBatch * lengthDelimited(ROLLUP) + PRUNE_RECORD;
  return Math.max(ENVELOPES + BATCH_HEADER + SIGNATURE + Math.max(readings, rollups), PROOF_MESSAGE);
}

/** The relay's receive limit: twice the largest legal message, rounded up to a whole KiB, so a legal batch never comes near it. */
export function maxReceiveMessageBytes(maxReadingsPerBatch: number): number {
  return Math.ceil((2 * largestLegalUpload(maxReadingsPerBatch)) / 1024) * 1024;
}
