import { SALT_SEED_BYTES } from "@intelledger/circuits";
import type { Batch } from "@intelledger/proto/relay";

/** Why a batch's readings do not match its header, in words for the gateway, or undefined when they do. */
export interface ReadingsMismatch {
  message: string;
  details: Record<string, number>;
}

/**
 * The readings of a batch must be as many as its header declares, in strictly increasing
 * gateway_seq order, and span exactly its declared range; its salt seed, if any, is 32 bytes.
 */
export function readingsMismatch(batch: Batch): ReadingsMismatch | undefined {
  const { sequence, readings } = batch;
  if (batch.saltSeed.length !== 0 && batch.saltSeed.length !== SALT_SEED_BYTES) {
    return {
      message: `batch ${sequence} has a salt seed of ${batch.saltSeed.length} bytes, not ${SALT_SEED_BYTES}`,
      details: { sequence, saltSeedBytes: batch.saltSeed.length },
    };
  }
  if (readings.length !== batch.readingCount) {
    return {
      message: `batch ${sequence} holds ${readings.length} readings but its header says ${batch.readingCount}`,
      details: { sequence, readings: readings.length, readingCount: batch.readingCount },
    };
  }
  let previous = batch.firstGatewaySeq - 1;
  for (const reading of readings) {
    if (reading.gatewaySeq <= previous || reading.gatewaySeq > batch.lastGatewaySeq) {
      return {
        message: `batch ${sequence} holds reading ${reading.gatewaySeq} out of order or outside its range`,
        details: { sequence, gatewaySeq: reading.gatewaySeq },
      };
    }
    previous = reading.gatewaySeq;
  }
  if (readings[0]?.gatewaySeq !== batch.firstGatewaySeq || previous !== batch.lastGatewaySeq) {
    return {
      message: `batch ${sequence} readings do not span its declared range`,
      details: { sequence, firstGatewaySeq: batch.firstGatewaySeq, lastGatewaySeq: batch.lastGatewaySeq },
    };
  }
  return undefined;
}
