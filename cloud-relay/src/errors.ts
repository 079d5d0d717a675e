import { EdgeError } from "@intelledger/service-kit/errors";

/** What went wrong, in terms a caller can act on; gRPC handlers turn it into a status code in one place. */
export type RelayErrorKind =
  | "unauthenticated"
  | "permission_denied"
  | "invalid_argument"
  | "failed_precondition"
  | "already_exists"
  | "not_found"
  | "resource_exhausted"
  | "aborted"
  | "unavailable"
  | "internal";

/** Base of every error the relay raises on purpose: what went wrong in a caller's terms, as well as the message, details and cause. */
export class RelayError extends EdgeError {
  readonly kind: RelayErrorKind;

  constructor(kind: RelayErrorKind, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, details, options);
    this.kind = kind;
  }
}

export class RelayConfigError extends RelayError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("invalid_argument", message, details);
  }
}

/**
 * Why the relay refused a gateway's call, one word per rule (the `reason` label of
 * intelledger_relay_refusals_total). docs/wire-formats.md lists each with its status code.
 */
export type RefusalReason =
  | "client_certificate_refused"
  | "certificate_not_a_gateway"
  | "gateway_mismatch"
  | "gateway_revoked"
  | "address_not_allowed"
  | "rate_limited"
  | "registration_signature"
  | "registration_clock"
  | "malformed_message"
  | "empty_message"
  | "batch_signature"
  | "batch_header"
  | "batch_readings"
  | "readings_root"
  | "prune_record"
  | "resend_differs"
  | "out_of_order"
  | "broken_link"
  | "class_overlap"
  | "gateway_seq_gap"
  | "proof_without_batch"
  | "stored_concurrently"
  | "storage_unavailable";

/** A gateway's call refused by one of the relay's rules: the status kind, the rule, and what the gateway sent. */
export class RelayRefusal extends RelayError {
  readonly reason: RefusalReason;

  constructor(
    kind: RelayErrorKind,
    reason: RefusalReason,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(kind, message, details, options);
    this.reason = reason;
  }
}
