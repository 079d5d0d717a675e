import { RECEIPT_LINKS, type ReceiptFailure, type ReceiptLink } from "@intelledger/verify";
import type { ReceiptLinkView } from "../http/api-views.js";

type LinkResult = ReceiptLinkView["result"];

/** One link of a receipt's chain of evidence, as a screen shows it. */
export interface ReceiptLinkCheck extends ReceiptLinkView {
  link: ReceiptLink;
}

/** The link each failure is about. */
const FAILED_LINK: Record<ReceiptFailure, ReceiptLink> = {
  wrong_chain: "chain",
  deployment_mismatch: "deployment",
  batch_signature: "batch_signature",
  reading_not_in_batch: "reading_in_batch",
  batch_not_in_anchor: "batch_in_anchor",
  development_key: "verification_key",
  verification_key_mismatch: "verification_key",
  proof_invalid: "batch_proof",
  root_not_anchored: "root_anchored",
  transaction_mismatch: "transaction",
  anchorer_not_authorized: "anchorer",
  gateway_not_registered: "gateway_registered",
  too_few_confirmations: "confirmations",
};

const LINKS = Object.keys(RECEIPT_LINKS) as ReceiptLink[];
const NO_PROOF = "the receipt carries no proof of its batch (the proof may not have reached the relay yet)";
const AFTER_FAILURE = "a link before it does not hold";

function described(link: ReceiptLink, result: LinkResult, detail?: string): ReceiptLinkCheck {
  return { link, description: RECEIPT_LINKS[link], result, ...(detail !== undefined && { detail }) };
}

/**
 * Every link of a receipt's evidence, in the order the verifier checks them, with its result:
 * after a verification, the links it checked hold and the others (the proof's, for a receipt
 * without one) were not checked; after a failure, the links before the failing one hold (but
 * a proof the receipt lacks), the failing one says why, and the ones after it were not checked.
 */
export function receiptLinks(
  outcome: { checked: readonly ReceiptLink[] } | { failure: ReceiptFailure; message: string },
  hasProof: boolean,
): ReceiptLinkCheck[] {
  if ("checked" in outcome) {
    return LINKS.map((link) =>
      outcome.checked.includes(link) ? described(link, "ok") : described(link, "not_checked", NO_PROOF),
    );
  }
  const failed = LINKS.indexOf(FAILED_LINK[outcome.failure]);
  return LINKS.map((link, index) => {
    if (index === failed) return described(link, "failed", outcome.message);
    if (index > failed) return described(link, "not_checked", AFTER_FAILURE);
    return link === "batch_proof" && !hasProof ? described(link, "not_checked", NO_PROOF) : described(link, "ok");
  });
}
