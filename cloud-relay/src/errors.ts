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

/** Base of every error the relay raises on purpose: a kind, a short message, details to log, and the cause. */
export class RelayError extends Error {
  readonly kind: RelayErrorKind;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(kind: RelayErrorKind, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.details = details;
  }
}

export class RelayConfigError extends RelayError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("invalid_argument", message, details);
  }
}
