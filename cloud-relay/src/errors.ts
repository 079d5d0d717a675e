import { EdgeError } from "@intelledger/service-kit/errors";

/** What went wrong, in terms a caller can act on; gRPC handlers turn it into a status code in one place. */
export type RelayErrorKind =
  | "unauthenticated"
  | "permission_denied"
  | "invalid_argument"
  | "failed_precondition"
  | "already_exists"
  | "not_found"
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
