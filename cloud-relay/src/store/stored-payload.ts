import { deflateRawSync, inflateRawSync } from "node:zlib";

/**
 * How a batch's payload (the encoded Batch exactly as the gateway sent it) is kept: raw
 * DEFLATE (RFC 1951), which a batch of readings, repeating device ids and near-equal times,
 * shrinks about fourfold. Level 3: a little larger than the best, at a fraction of its time,
 * as every stored batch pays it on the upload path.
 */
const LEVEL = 3;

export interface StoredPayload {
  bytes: Uint8Array;
  /** 1 when bytes are DEFLATE-compressed; 0 for payloads stored before they were. */
  deflated: 0 | 1;
}

/** The payload as it is stored; a pruned batch's empty payload stays empty. */
export function storedPayload(payload: Uint8Array): StoredPayload {
  if (payload.length === 0) return { bytes: payload, deflated: 0 };
  return { bytes: deflateRawSync(payload, { level: LEVEL }), deflated: 1 };
}

/** The encoded Batch a stored payload holds, byte for byte as received. */
export function receivedPayload(bytes: Uint8Array, deflated: number): Uint8Array {
  return deflated === 1 ? new Uint8Array(inflateRawSync(bytes)) : new Uint8Array(bytes);
}
