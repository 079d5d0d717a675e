import { status } from "@grpc/grpc-js";
import { BatchGoneError } from "../batch/batch-outbox.js";
import { ChainMismatchError } from "./registration.js";
import { isServiceError, trailer, trailerMs } from "./relay-status.js";
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
const RESYNC = new Set<number>([status.FAILED_PRECONDITION, status.ALREADY_EXISTS, status.ABORTED]);
/** FAILED_PRECONDITION reasons (x-detail-reason) about the batch itself, which registering again does not change. */
const BATCH_REFUSED_FOR_GOOD = new Set(["class_overlap", "gateway_seq_gap"]);

/**
 * Trailing metadata in which the relay may say how long to stay away, in milliseconds:
 * `retry-after-ms`, or `x-detail-retry-after-ms` (a `retryAfterMs` detail of the relay's refusal).
 */
const RETRY_AFTER_KEYS = ["retry-after-ms", "x-detail-retry-after-ms"];
/** A longer retry-after than this is taken as this: a relay's typo should not silence a gateway for days. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

function retryAfterMs(error: unknown): number | undefined {
  for (const key of RETRY_AFTER_KEYS) {
    const ms = trailerMs(error, key);
    if (ms !== undefined) return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  return undefined;
}

/** Decides, from how a session ended (a gRPC status, or the gateway's own finding), what the uplink does next. */
export function sessionEnd(error: unknown): SessionEnd {
  if (error instanceof ChainMismatchError || error instanceof BatchGoneError) return { action: "refused" };
  if (error instanceof UploadProtocolError) return { action: "resync" };
  if (!isServiceError(error)) return { action: "retry" };
  if (error.code === status.RESOURCE_EXHAUSTED) return { action: "overloaded", retryAfterMs: retryAfterMs(error) };
  if (REFUSED.has(error.code)) return { action: "refused" };
  if (error.code === status.FAILED_PRECONDITION && BATCH_REFUSED_FOR_GOOD.has(trailer(error, "x-detail-reason") ?? "")) {
    return { action: "refused" };
  }
  if (RESYNC.has(error.code)) return { action: "resync" };
  return { action: "retry" };
}
