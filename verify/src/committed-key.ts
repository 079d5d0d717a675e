import { loadVerificationKey, readManifest } from "@intelledger/circuits";
import type { BatchVerificationKey } from "./chain-trust.js";

/** The verification key committed with the circuit, checked against its manifest's pin. */
export function committedKey(): BatchVerificationKey {
  return { verificationKey: loadVerificationKey(), verificationKeyKind: readManifest().keyKind ?? "development" };
}
