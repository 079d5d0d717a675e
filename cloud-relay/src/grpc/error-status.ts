import { Metadata, status, type StatusObject } from "@grpc/grpc-js";
import { RelayError, type RelayErrorKind } from "../errors.js";

const STATUS_OF: Record<RelayErrorKind, status> = {
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  invalid_argument: status.INVALID_ARGUMENT,
  failed_precondition: status.FAILED_PRECONDITION,
  already_exists: status.ALREADY_EXISTS,
  not_found: status.NOT_FOUND,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/**
 * The one place relay errors become gRPC statuses. A RelayError keeps its message and
 * details (as metadata); anything else is an internal error whose text stays in the log.
 */
export function toStatus(error: unknown): StatusObject {
  const metadata = new Metadata();
  if (error instanceof RelayError) {
    for (const [key, value] of Object.entries(error.details)) metadata.set(`x-detail-${key.toLowerCase()}`, String(value));
    return { code: STATUS_OF[error.kind], details: error.message, metadata };
  }
  return { code: status.INTERNAL, details: "internal relay error", metadata };
}
