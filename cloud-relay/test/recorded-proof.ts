// A gateway's real proof of a batch, and the relay's record of it in its proof ledger.
import { batchCircuitInput, loadBatchArtifacts, proveBatch, type BatchCommitment, type BatchProof } from "@intelledger/circuits";
import type { LedgerProof, ProofLedger } from "../src/store/proof-ledger.js";
import type { StoredProof } from "../src/store/stored-proof.js";

/** Proves `commitment` with the committed proving key, as the gateway that sealed the batch does. */
export function proveCommitment(commitment: BatchCommitment): Promise<BatchProof> {
  return proveBatch(loadBatchArtifacts(), batchCircuitInput(commitment));
}

/** Records `proof` in `proofs` with the relay's verdict on it, as the upload path does once it checked the proof. */
export async function recordProof(
  proofs: ProofLedger,
  proof: BatchProof,
  verdict: Omit<LedgerProof, keyof StoredProof>,
): Promise<void> {
  await proofs.record({ ...verdict, proof: JSON.stringify(proof.proof), publicSignals: proof.publicSignals });
}
