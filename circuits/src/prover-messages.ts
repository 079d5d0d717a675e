import type { BatchProof } from "./batch-prover.js";
import type { BatchCircuitInput } from "./circuit-input.js";

/** A message to a proving worker. */
export interface ProverRequest {
  id: number;
  input: BatchCircuitInput;
}

/** A proving worker's answer: the proof, or why there is none. */
export type ProverResponse = { id: number; result: BatchProof } | { id: number; error: { message: string; cause: string } };

/** A message from a prover: an answer, or that it loaded the artifacts. */
export type ProverMessage = ProverResponse | { ready: true };
