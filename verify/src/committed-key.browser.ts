import manifest from "@intelledger/circuits/artifacts/batch-attestation.manifest.json" with { type: "json" };
import verificationKey from "@intelledger/circuits/artifacts/batch-attestation.vkey.json" with { type: "json" };
import disclosureManifest from "@intelledger/circuits/artifacts/reading-disclosure.manifest.json" with { type: "json" };
import disclosureKey from "@intelledger/circuits/artifacts/reading-disclosure.vkey.json" with { type: "json" };
import type { Groth16VerificationKey } from "@intelledger/circuits/verify";
import type { BatchVerificationKey } from "./chain-trust.js";

/** The verification keys committed with the circuits, built into the browser bundle (no file system to read them from). */
export function committedKey(): BatchVerificationKey {
  const kinds: unknown[] = [manifest.keyKind, disclosureManifest.keyKind];
  return {
    verificationKey: structuredClone(verificationKey) as Groth16VerificationKey,
    disclosureKey: structuredClone(disclosureKey) as Groth16VerificationKey,
    // Production only when both keys come from a ceremony.
    verificationKeyKind: kinds.every((kind) => kind === "production") ? "production" : "development",
  };
}
