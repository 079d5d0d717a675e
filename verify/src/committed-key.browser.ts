import manifest from "@intelledger/circuits/artifacts/batch-attestation.manifest.json" with { type: "json" };
import verificationKey from "@intelledger/circuits/artifacts/batch-attestation.vkey.json" with { type: "json" };
import type { Groth16VerificationKey } from "@intelledger/circuits/verify";
import type { BatchVerificationKey } from "./chain-trust.js";

/** The verification key committed with the circuit, built into the browser bundle (no file system to read it from). */
export function committedKey(): BatchVerificationKey {
  return {
    verificationKey: structuredClone(verificationKey) as Groth16VerificationKey,
    verificationKeyKind: manifest.keyKind === "production" ? "production" : "development",
  };
}
