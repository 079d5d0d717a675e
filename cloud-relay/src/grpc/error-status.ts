import { Metadata, status, type StatusObject } from "@grpc/grpc-js";
import { RelayError, RelayRefusal, type RelayErrorKind } from "../errors.js";

const STATUS_OF: Record<RelayErrorKind, status> = {
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  invalid_argument: status.INVALID_ARGUMENT,
  failed_precondition: status.FAILED_PRECONDITION,
  already_exists: status.ALREADY_EXISTS,
  not_found: status.NOT_FOUND,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  aborted: status.ABORTED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** x-detail-expected-sequence for expectedSequence: metadata keys are lower case, words joined by dashes. */
function detailKey(name: string): string {
  return `x-detail-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * The one place relay errors become gRPC statuses. A RelayError keeps its message and
 * details (as trailing metadata, plus x-detail-reason for a refusal); anything else is an
 * internal error whose text stays in the log.
 */
export function toStatus(error: unknown): StatusObject {
  const metadata = new Metadata();
  if (error instanceof RelayError) {
    if (error instanceof RelayRefusal) metadata.set(detailKey("reason"), error.reason);
    for (const [key, value] of Object.entries(error.details)) metadata.set(detailKey(key), String(value));
    return { code: STATUS_OF[error.kind], details: error.message, metadata };
  }
  return { code: status.INTERNAL, details: "internal relay error", metadata };
}

/** The label a refusal is counted under: its rule, or for any other error its kind. */
export function refusalReason(error: unknown): string {
  if (error instanceof RelayRefusal) return error.reason;
  if (error instanceof RelayError) return error.kind;
  return "internal";
}
