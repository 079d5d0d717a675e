// Runs in a worker thread: recomputes a batch's readings root off the relay's main thread.
import { loadPoseidon, readingsTree } from "@intelledger/circuits";
import { Batch } from "@intelledger/proto/relay";

const hasher = await loadPoseidon();

/** The root of the readings of an encoded Batch, as a decimal string (bigints do not cross threads cheaply). */
export default function readingsRoot(encodedBatch: Uint8Array): string {
  return readingsTree(hasher, Batch.decode(encodedBatch).readings).root.toString();
}
