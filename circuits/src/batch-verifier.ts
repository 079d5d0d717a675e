import type * as Snarkjs from "snarkjs";
import type { Groth16VerificationKey } from "./artifacts.js";
import { DISCLOSURE_PUBLIC_SIGNALS, PUBLIC_SIGNALS } from "./batch-layout.js";

/** A Groth16 proof as snarkjs writes it (decimal strings, projective coordinates). */
export type Groth16Proof = Snarkjs.Groth16Proof;

// snarkjs is loaded on first use: services that only commit to batches never pay for it.
export function loadSnarkjs(): Promise<typeof Snarkjs> {
  return import("snarkjs");
}

/** True when `proof` proves `publicSignals` of the batch circuit under `vkey`; false for any malformed input. */
export function verifyBatchProof(
  vkey: Groth16VerificationKey,
  proof: Groth16Proof,
  publicSignals: readonly string[],
): Promise<boolean> {
  return verifyGroth16(vkey, proof, publicSignals, PUBLIC_SIGNALS.length);
}

/** True when `proof` proves `publicSignals` of the reading disclosure circuit under `vkey`. */
export function verifyDisclosureProof(
  vkey: Groth16VerificationKey,
  proof: Groth16Proof,
  publicSignals: readonly string[],
): Promise<boolean> {
  return verifyGroth16(vkey, proof, publicSignals, DISCLOSURE_PUBLIC_SIGNALS.length);
}

/** True when `proof` proves `publicSignals`, `count` of them, under `vkey`; false for any malformed input. */
async function verifyGroth16(
  vkey: Groth16VerificationKey,
  proof: Groth16Proof,
  publicSignals: readonly string[],
  count: number,
): Promise<boolean> {
  if (publicSignals.length !== count || vkey.nPublic !== count) return false;
  try {
    return await (await loadSnarkjs()).groth16.verify(vkey, [...publicSignals], proof);
  } catch {
    return false;
  }
}

/**
 * Ends the worker threads snarkjs keeps for its curve arithmetic, so a process that proved
 * or verified can exit on its own.
 */
export async function releaseSnarkThreads(): Promise<void> {
  const shared = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await shared.curve_bn128?.terminate();
}
