// Runs in a worker thread: recomputes a batch's readings root off the relay's main thread.
import { BatchCommitment, CircuitsError, loadPoseidon } from "@intelledger/circuits";
import { Batch } from "@intelledger/proto/relay";

const hasher = await loadPoseidon();

/**
 * The root of the readings of an encoded Batch, as a decimal string (bigints do not cross
 * threads cheaply); "-1", which matches no root, when the readings cannot be committed at all.
 */
export default function readingsRoot(encodedBatch: Uint8Array): string {
  const batch = Batch.decode(encodedBatch);
  try {
    return BatchCommitment.build(hasher, { gatewayId: batch.gatewayId, readings: batch.readings }).root.toString();
  } catch (error) {
    if (error instanceof CircuitsError || error instanceof RangeError) return "-1";
    throw error;
  }
}
