import { randomUUID } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";

/** What a caller may name its upload with: printable, no spaces, short enough for a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/** The metadata key carrying an upload stream's request id, both ways. */
export const REQUEST_ID_KEY = "x-request-id";

/**
 * The upload stream's request id: the caller's `x-request-id` when it sent a usable one,
 * else a fresh UUID. It is logged on every line about the stream and sent back in the
 * stream's response headers.
 */
export function uploadRequestId(metadata: Metadata): string {
  const [sent] = metadata.get(REQUEST_ID_KEY);
  return typeof sent === "string" && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** The W3C trace context the caller sent (traceparent, tracestate), for the stream's batch traces to continue. */
export function traceCarrier(metadata: Metadata): Record<string, string> {
  const carrier: Record<string, string> = {};
  for (const key of ["traceparent", "tracestate"]) {
    const [value] = metadata.get(key);
    if (typeof value === "string") carrier[key] = value;
  }
  return carrier;
}
