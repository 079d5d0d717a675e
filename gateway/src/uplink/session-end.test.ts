import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { BatchGoneError } from "../batch/batch-outbox.js";
import { GatewayError } from "../errors.js";
import { ChainMismatchError } from "./registration.js";
import { sessionEnd } from "./session-end.js";
import { UploadProtocolError } from "./upload-window.js";

/** An error as grpc-js gives it for a call that ended with `code`. */
function statusError(code: status, trailers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(`${code} ${status[code]}: refused`), { code, details: "refused", metadata });
}

describe("how a relay session ended decides what the uplink does", () => {
  it("stops on a final refusal", () => {
    for (const code of [status.INVALID_ARGUMENT, status.PERMISSION_DENIED, status.UNAUTHENTICATED, status.OUT_OF_RANGE]) {
      expect(sessionEnd(statusError(code)), status[code]).toEqual({ action: "refused" });
    }
    // The relay's reasons for refusing a batch that registering again would not change.
    for (const reason of ["class_overlap", "gateway_seq_gap"]) {
      expect(sessionEnd(statusError(status.FAILED_PRECONDITION, { "x-detail-reason": reason })), reason).toEqual({
        action: "refused",
      });
    }
    expect(sessionEnd(new ChainMismatchError("the relay's last batch differs"))).toEqual({ action: "refused" });
    expect(sessionEnd(new BatchGoneError("asks again for a released batch"))).toEqual({ action: "refused" });
  });

  it("resynchronises when the relay's record moved on or the stream lost its place", () => {
    expect(sessionEnd(statusError(status.FAILED_PRECONDITION))).toEqual({ action: "resync" });
    expect(sessionEnd(statusError(status.ALREADY_EXISTS))).toEqual({ action: "resync" });
    expect(sessionEnd(statusError(status.ABORTED, { "x-detail-reason": "stored_concurrently" }))).toEqual({ action: "resync" });
    expect(sessionEnd(statusError(status.FAILED_PRECONDITION, { "x-detail-reason": "out_of_order" }))).toEqual({
      action: "resync",
    });
    expect(sessionEnd(new UploadProtocolError("relay acked out of order"))).toEqual({ action: "resync" });
  });

  it("waits longer for an overloaded relay, as long as it asks", () => {
    expect(sessionEnd(statusError(status.RESOURCE_EXHAUSTED))).toEqual({ action: "overloaded", retryAfterMs: undefined });
    expect(sessionEnd(statusError(status.RESOURCE_EXHAUSTED, { "retry-after-ms": "2500" }))).toEqual({
      action: "overloaded",
      retryAfterMs: 2_500,
    });
    expect(sessionEnd(statusError(status.RESOURCE_EXHAUSTED, { "x-detail-retry-after-ms": "700" }))).toEqual({
      action: "overloaded",
      retryAfterMs: 700,
    });
    // Nonsense is ignored; an absurd wait is capped at fifteen minutes.
    expect(sessionEnd(statusError(status.RESOURCE_EXHAUSTED, { "retry-after-ms": "soon" }))).toMatchObject({
      retryAfterMs: undefined,
    });
    expect(sessionEnd(statusError(status.RESOURCE_EXHAUSTED, { "retry-after-ms": "86400000" }))).toMatchObject({
      retryAfterMs: 900_000,
    });
  });

  it("backs off and retries anything passing or unknown", () => {
    for (const code of [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL, status.UNKNOWN, status.NOT_FOUND]) {
      expect(sessionEnd(statusError(code)), status[code]).toEqual({ action: "retry" });
    }
    expect(sessionEnd(new GatewayError("the relay closed the upload stream"))).toEqual({ action: "retry" });
    expect(sessionEnd(new Error("connect ECONNREFUSED"))).toEqual({ action: "retry" });
  });
});
