import { getBytes, hexlify } from "ethers";
import type { Batch, Reading, StreamBounds } from "./gen/intelledger/relay/v1/relay.js";

/**
 * What a gateway signs about a batch: who sealed it, its place in the gateway's hash chain,
 * the root its readings hash to, and which readings those are (data class, count and
 * gateway_seq range). It is the wire Batch without its readings, its streams' bounds and its
 * salt seed, which the root covers.
 */
export type BatchHeader = Omit<Batch, "readings" | "streamBounds" | "saltSeed">;

/** A header as JSON (receipts): bytes as 0x-hex. */
export type BatchHeaderJson = Omit<BatchHeader, "previousBatchHash" | "readingsRoot"> & {
  previousBatchHash: string;
  readingsRoot: string;
};

/** Where a new batch goes in its gateway's chain and what it commits to; its readings give the rest. */
export type BatchPlacement = Omit<BatchHeader, "readingCount" | "firstGatewaySeq" | "lastGatewaySeq">;

/** The header of any batch record (a wire batch, a gateway's stored batch, a relay's ledger row), and nothing else of it. */
export function batchHeader(source: BatchHeader): BatchHeader {
  return {
    gatewayId: source.gatewayId,
    sequence: source.sequence,
    previousBatchHash: source.previousBatchHash,
    readingsRoot: source.readingsRoot,
    sealedAtMs: source.sealedAtMs,
    dataClass: source.dataClass,
    readingCount: source.readingCount,
    firstGatewaySeq: source.firstGatewaySeq,
    lastGatewaySeq: source.lastGatewaySeq,
  };
}

/**
 * The header of a new batch holding `readings` (one data class, in gateway_seq order): its
 * count and gateway_seq range are the readings'. A batch holds at least one reading.
 */
export function sealedBatchHeader(placement: BatchPlacement, readings: readonly Pick<Reading, "gatewaySeq">[]): BatchHeader {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last) throw new RangeError(`batch ${placement.sequence} would hold no readings`);
  return batchHeader({
    ...placement,
    readingCount: readings.length,
    firstGatewaySeq: first.gatewaySeq,
    lastGatewaySeq: last.gatewaySeq,
  });
}

/**
 * The wire batch of a header, the readings it was sealed with (none once they were pruned),
 * the bounds its streams were committed with (those narrower than int32) and its salt seed
 * (empty for a batch committed without salts, and once its readings were pruned).
 */
export function batchWithReadings(
  header: BatchHeader,
  readings: Reading[],
  streamBounds: StreamBounds[] = [],
  saltSeed: Uint8Array = new Uint8Array(),
): Batch {
  return { ...batchHeader(header), readings, streamBounds, saltSeed };
}

export function batchHeaderToJson(header: BatchHeader): BatchHeaderJson {
  return {
    ...batchHeader(header),
    previousBatchHash: hexlify(header.previousBatchHash),
    readingsRoot: hexlify(header.readingsRoot),
  };
}

export function batchHeaderFromJson(json: BatchHeaderJson): BatchHeader {
  return batchHeader({ ...json, previousBatchHash: getBytes(json.previousBatchHash), readingsRoot: getBytes(json.readingsRoot) });
}
