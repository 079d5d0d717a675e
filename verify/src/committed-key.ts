import { loadVerificationKey, readManifest } from "@intelledger/circuits";
import type { BatchVerificationKey } from "./chain-trust.js";

/** The verification keys committed with the circuits, checked against their manifests' pins. */
export function committedKey(): BatchVerificationKey {
  const kinds = [readManifest(), readManifest(undefined, "reading-disclosure")].map((manifest) => manifest.keyKind);
  return {
    verificationKey: loadVerificationKey(),
    disclosureKey: loadVerificationKey(undefined, "reading-disclosure"),
    verificationKeyKind: kinds.every((kind) => kind === "production") ? "production" : "development",
  };
}
