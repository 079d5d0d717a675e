// Runs in worker threads: the relay's costliest checks, off its main thread.
import {
  CircuitsError,
  loadPoseidon,
  loadVerificationKey,
  verifyBatchProof,
  type CompiledPoseidon,
  type Groth16Proof,
} from "@intelledger/circuits";
import { Batch } from "@intelledger/proto/relay";
import { workerData } from "piscina";
import { batchCommitmentOf } from "./batch-commitment-of.js";
import { readingsMismatch, type ReadingsMismatch } from "./readings-check.js";

/** What the pool hands each thread. */
export interface VerificationWorkerData {
  poseidon: CompiledPoseidon;
}

// Outside a pool (a bench running the checks on its own thread) there is no module to take.
const hasher = await loadPoseidon((workerData as VerificationWorkerData | undefined)?.poseidon);

/** What the worker found in a batch's readings: their root (decimal; bigints do not cross threads cheaply), or why they are not acceptable. */
export type ReadingsVerdict = { root: string } | { mismatch: ReadingsMismatch };

/**
 * Decodes the encoded Batch (the only place its readings are decoded), checks them against
 * the header, and commits to them; a root of "-1", which matches no root, when they cannot
 * be committed at all.
 */
export default function readingsVerdict(encodedBatch: Uint8Array): ReadingsVerdict {
  let batch: Batch;
  try {
    batch = Batch.decode(encodedBatch);
  } catch (error) {
    // A reading field out of range (the header decoded on the main thread already).
    return { mismatch: { message: `batch readings do not decode: ${(error as Error).message}`, details: {} } };
  }
  const mismatch = readingsMismatch(batch);
  if (mismatch) return { mismatch };
  try {
    return { root: batchCommitmentOf(hasher, batch).root.toString() };
  } catch (error) {
    if (error instanceof CircuitsError || error instanceof RangeError) return { root: "-1" };
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
