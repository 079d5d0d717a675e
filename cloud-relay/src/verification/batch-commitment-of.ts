import { BatchCommitment, listedBounds, type PoseidonHasher } from "@intelledger/circuits";
import type { Batch } from "@intelledger/proto/relay";

/**
 * The commitment of a batch as the wire carries it: its readings, with the bounds it lists and,
 * for layout 2, its salt seed (an empty seed is a batch committed without salts). Throws a
 * CircuitsError (or a RangeError) when the readings cannot be committed.
 */
export function batchCommitmentOf(hasher: PoseidonHasher, batch: Batch): BatchCommitment {
  return BatchCommitment.build(hasher, {
    gatewayId: batch.gatewayId,
    readings: batch.readings,
    bounds: listedBounds(batch.streamBounds),
    saltSeed: batch.saltSeed.length === 0 ? undefined : batch.saltSeed,
  });
}
