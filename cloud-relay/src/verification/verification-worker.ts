// Runs in worker threads: the relay's costliest checks, off its main thread.
import {
  BatchCommitment,
  CircuitsError,
  loadPoseidon,
  loadVerificationKey,
  verifyBatchProof,
  type Groth16Proof,
} from "@intelledger/circuits";
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

const verificationKey = loadVerificationKey();

/** Whether a batch proof (snarkjs JSON) verifies for its public signals. */
export async function proofValid(task: { proof: string; publicSignals: string[] }): Promise<boolean> {
  let proof: Groth16Proof;
  try {
    proof = JSON.parse(task.proof) as Groth16Proof;
  } catch {
    return false;
  }
  return verifyBatchProof(verificationKey, proof, task.publicSignals);
}
