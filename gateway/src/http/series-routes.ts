import { z } from "zod";
import { SERIES_RESOLUTIONS, type SeriesQuery } from "../analytics/series-query.js";
import { formatStreamId, parseStreamId, type StreamId } from "../analytics/stream-id.js";
import { RequestValidationError, type ApiRoutes, type RouteGroup } from "./api-routes.js";

const DAY_MS = 86_400_000;

/** A time as milliseconds since the epoch or an ISO 8601 date-time. */
const instant = z
  .string()
  .max(40)
  .transform((text, context) => {
    const ms = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isSafeInteger(ms)) {
      context.addIssue({ code: "custom", message: "must be milliseconds since the epoch or an ISO 8601 date-time" });
      return z.NEVER;
    }
    return ms;
  });

const stream = z
  .string()
  .max(100)
  .transform((text, context): StreamId => {
    const parsed = parseStreamId(text);
    if (typeof parsed === "string") {
      context.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

const bucket = z.object({
  bucketMs: z.number(),
  count: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  last: z.number(),
  lastSampledAtMs: z.number(),
  anomalyCount: z.number(),
  lateCount: z.number(),
});
const reading = z.object({
  gatewaySeq: z.number(),
  sampledAtMs: z.number(),
  value: z.number(),
  anomalous: z.boolean().nullable(),
});

/** GET /api/series: a stream's readings or rollups over a time span. */
export function seriesRoutes(api: ApiRoutes, series: SeriesQuery): RouteGroup {
  const routes = api.under("/api/series");
  routes.add({
    method: "get",
    path: "/",
    summary: "A stream's series over a span: raw readings, 1-minute or 1-hour rollups (auto picks by the span)",
    description:
      "stream is <deviceId>/<channel>[/<index>] (channel: temperature, humidity, vibration, analog, alert). from and to are " +
      "sample times (ms since the epoch or ISO 8601; the last day by default). resolution auto answers raw readings for " +
      "spans up to 15 minutes, 1-minute rollups up to 3 days and 1-hour rollups beyond. Rollup buckets are given by " +
      "their start; values are physical (value × 10^-scale).",
    access: "viewer",
    query: z.strictObject({
      stream,
      from: instant.optional(),
      to: instant.optional(),
      resolution: z.enum(SERIES_RESOLUTIONS).default("auto"),
      limit: z.coerce.number().int().min(1).max(20_000).default(10_000),
    }),
    response: z.object({
      stream: z.string(),
      fromMs: z.number(),
      toMs: z.number(),
      resolution: z.enum(["raw", "1m", "1h"]),
      readings: z.array(reading).optional(),
      buckets: z.array(bucket).optional(),
      truncated: z.boolean(),
    }),
    handle: ({ query }) => {
      const toMs = query.to ?? Date.now();
      const fromMs = query.from ?? toMs - DAY_MS;
      if (fromMs > toMs) throw new RequestValidationError([{ path: "query.from", message: "must not be after to" }]);
      return {
        stream: formatStreamId(query.stream),
        fromMs,
        toMs,
        ...series.query(query.stream, fromMs, toMs, query.resolution, query.limit),
      };
    },
  });
  return routes;
}
