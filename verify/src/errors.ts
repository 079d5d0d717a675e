import { EdgeError } from "@intelledger/service-kit/errors";

/** Base of every error this package raises on purpose. */
export class VerifyError extends EdgeError {}

/** Which link of a receipt's chain of evidence does not hold. */
export type ReceiptFailure =
  | "wrong_chain"
  | "deployment_mismatch"
  | "batch_signature"
  | "reading_not_in_batch"
  | "batch_not_in_anchor"
  | "development_key"
  | "verification_key_mismatch"
  | "proof_invalid"
  | "root_not_anchored"
  | "transaction_mismatch"
  | "anchorer_not_authorized"
  | "gateway_not_registered"
  | "too_few_confirmations";

/** A receipt that does not verify: `failure` names the first link that does not hold. */
export class ReceiptVerificationError extends VerifyError {
  readonly failure: ReceiptFailure;

  constructor(failure: ReceiptFailure, message: string, options?: { cause?: unknown }) {
    super(message, { failure }, options);
    this.failure = failure;
  }
}
