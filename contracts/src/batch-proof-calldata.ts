import { ContractsError } from "./errors.js";

/** A snarkjs Groth16 proof (decimal strings, projective coordinates). */
interface SnarkjsProof {
  pi_a: readonly string[];
  pi_b: readonly (readonly string[])[];
  pi_c: readonly string[];
}

/** The arguments of `DataAnchor.anchorVerifiedBatch`. */
export interface BatchProofCalldata {
  pA: [bigint, bigint];
  pB: [[bigint, bigint], [bigint, bigint]];
  pC: [bigint, bigint];
  claims: {
    batchRoot: bigint;
    gatewayId: bigint;
    windowStartSec: bigint;
    windowEndSec: bigint;
    readingCount: bigint;
    anomalyCount: bigint;
    streamsHash: bigint;
  };
}

/**
 * Turns a batch proof and its public signals (in the circuit's order) into the arguments of
 * `anchorVerifiedBatch`. G2 coordinates go in the order the EVM pairing precompile expects
 * (imaginary part first).
 */
export function batchProofCalldata(proof: SnarkjsProof, publicSignals: readonly string[]): BatchProofCalldata {
  const n = (value: string | undefined): bigint => {
    if (value === undefined || !/^\d+$/.test(value))
      throw new ContractsError("a proof coordinate or signal is not a decimal number", { value });
    return BigInt(value);
  };
  if (publicSignals.length !== 7) throw new ContractsError(`a batch proof has 7 public signals, got ${publicSignals.length}`);
  const [batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash] = publicSignals.map(n) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return {
    pA: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    pB: [
      [n(proof.pi_b[0]?.[1]), n(proof.pi_b[0]?.[0])],
      [n(proof.pi_b[1]?.[1]), n(proof.pi_b[1]?.[0])],
    ],
    pC: [n(proof.pi_c[0]), n(proof.pi_c[1])],
    claims: { batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash },
  };
}

/** The arguments of `DataAnchor.anchorVerifiedBatches`: the batches' proofs, and their claims in the same order. */
export interface BatchProofsCalldata {
  proofs: Pick<BatchProofCalldata, "pA" | "pB" | "pC">[];
  claims: BatchProofCalldata["claims"][];
}

/** Turns several batch proofs, each with its public signals, into the arguments of `anchorVerifiedBatches`. */
export function batchProofsCalldata(
  batches: readonly { proof: SnarkjsProof; publicSignals: readonly string[] }[],
): BatchProofsCalldata {
  const calldata = batches.map((batch) => batchProofCalldata(batch.proof, batch.publicSignals));
  return { proofs: calldata.map(({ pA, pB, pC }) => ({ pA, pB, pC })), claims: calldata.map(({ claims }) => claims) };
}
