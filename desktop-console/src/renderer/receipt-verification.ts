import type { ReceiptCheck } from "../shared/bridge-types.js";

/**
 * A receipt's verification as the proofs screen shows it, whoever checked it: one row per
 * link of the receipt's evidence, in the order they are checked, and the verdict.
 */
export type LinkState = "ok" | "failed" | "not checked";

export interface ReceiptLinkView {
  /** A short name of the link. */
  name: string;
  /** What the link establishes. */
  description: string;
  state: LinkState;
  /** Why it failed or was not checked. */
  detail?: string;
}

export interface ReceiptVerificationView {
  verdict: "verified" | "not proven" | "not verified";
  /** One sentence: what the verdict means, and what to do about it. */
  summary: string;
  links: ReceiptLinkView[];
  /** Who checked, against which chain. */
  checkedBy: string;
}

const LINK_NAMES: Record<string, string> = {
  chain: "Chain",
  deployment: "Deployment",
  batch_signature: "Gateway's signature",
  reading_in_batch: "Reading in its batch",
  batch_in_anchor: "Batch in the anchor",
  verification_key: "Verification key",
  batch_proof: "Zero-knowledge proof",
  root_anchored: "Root on chain",
  transaction: "Anchoring transaction",
  anchorer: "Anchorer's role",
  gateway_registered: "Gateway registered",
  confirmations: "Confirmations",
};

const STATES: Record<ReceiptCheck["links"][number]["result"], LinkState> = {
  ok: "ok",
  failed: "failed",
  not_checked: "not checked",
};

/** The view of a check the gateway made against the chain at `check.rpcUrl`. */
export function viewOfGatewayCheck(check: ReceiptCheck): ReceiptVerificationView {
  const failed = check.links.find((link) => link.result === "failed");
  const anchor = check.anchor;
  return {
    verdict: check.verdict === "verified" ? "verified" : check.verdict === "not_proven" ? "not proven" : "not verified",
    summary:
      check.verdict === "verified"
        ? `Every link holds: anchored in block ${anchor?.blockNumber ?? "?"} (${anchor?.confirmations ?? "?"} confirmations).`
        : check.verdict === "not_proven"
          ? "Every link the receipt carries holds, but it has no proof of its batch yet: download it again later."
          : `The link "${LINK_NAMES[failed?.link ?? ""] ?? failed?.link ?? "?"}" does not hold: do not rely on this reading, and report it.`,
    links: check.links.map((link) => ({
      name: LINK_NAMES[link.link] ?? link.link,
      description: link.description,
      state: STATES[link.result],
      ...(link.detail !== undefined && { detail: link.detail }),
    })),
    checkedBy: `the gateway, against the chain at ${check.rpcUrl}`,
  };
}
