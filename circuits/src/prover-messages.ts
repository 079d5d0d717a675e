import type { BatchProof } from "./batch-prover.js";
import type { BatchCircuitInput } from "./circuit-input.js";
import type { DisclosureCircuitInput } from "./reading-disclosure.js";

/** A circuit's input: a batch's, or a reading disclosure's. */
export type CircuitInput = BatchCircuitInput | DisclosureCircuitInput;

/** A message to a proving worker. */
export interface ProverRequest {
  id: number;
  input: CircuitInput;
}

/** A proving worker's answer: the proof, or why there is none. */
export type ProverResponse = { id: number; result: BatchProof } | { id: number; error: { message: string; cause: string } };

/** A message from a prover: an answer, or that it loaded the artifacts. */
export type ProverMessage = ProverResponse | { ready: true };
