import { status, type Metadata, type ServiceError } from "@grpc/grpc-js";
import { BatchGoneError } from "../batch/batch-outbox.js";
import { ChainMismatchError } from "./registration.js";
import { UploadProtocolError } from "./upload-window.js";

/**
 * What the uplink does after a session with the relay ended:
 * - `retry`: a passing failure (the relay or the network is down, a deadline passed): back off with jitter;
 * - `overloaded`: the relay is out of capacity: wait longer, as long as it asked if it did;
 * - `resync`: the gateway's idea of the relay's record is stale: register again now and resume where the relay says;
 * - `refused`: the relay will not take what the gateway has to send, or the two records
 *   disagree: sending again would be refused again, so the uplink stops, reports, and asks
 *   again only much later.
 */
export type SessionEnd =
  { action: "retry" } | { action: "overloaded"; retryAfterMs: number | undefined } | { action: "resync" } | { action: "refused" };

const REFUSED = new Set<number>([
  status.INVALID_ARGUMENT,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.OUT_OF_RANGE,
  status.UNIMPLEMENTED,
]);
const RESYNC = new Set<number>([status.FAILED_PRECONDITION, status.ALREADY_EXISTS]);

/**
 * Trailing metadata in which the relay may say how long to stay away, in milliseconds:
 * `retry-after-ms`, or the relay's `x-detail-retryafterms` (a `retryAfterMs` detail of its error).
 */
const RETRY_AFTER_KEYS = ["retry-after-ms", "x-detail-retryafterms"];
/** A longer retry-after than this is taken as this: a relay's typo should not silence a gateway for days. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === "number" && "metadata" in error;
}

function retryAfterMs(metadata: Metadata | undefined): number | undefined {
  for (const key of RETRY_AFTER_KEYS) {
    const [value] = metadata?.get(key) ?? [];
    const ms = Number(value?.toString());
    if (value !== undefined && Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  return undefined;
}

/** Decides, from how a session ended (a gRPC status, or the gateway's own finding), what the uplink does next. */
export function sessionEnd(error: unknown): SessionEnd {
  if (error instanceof ChainMismatchError || error instanceof BatchGoneError) return { action: "refused" };
  if (error instanceof UploadProtocolError) return { action: "resync" };
  if (!isServiceError(error)) return { action: "retry" };
  if (error.code === status.RESOURCE_EXHAUSTED) return { action: "overloaded", retryAfterMs: retryAfterMs(error.metadata) };
  if (REFUSED.has(error.code)) return { action: "refused" };
  if (RESYNC.has(error.code)) return { action: "resync" };
  return { action: "retry" };
}
