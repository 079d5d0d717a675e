import { committedKey } from "#committed-key";
import type { ChainTrust } from "./chain-trust.js";

/** The trust of a verifier using the committed verification key (its manifest says how it was made). */
export function committedKeyTrust(
  options: Pick<ChainTrust, "chainId" | "deployment" | "minConfirmations" | "allowDevelopmentKey">,
): ChainTrust {
  return { ...options, ...committedKey() };
}
