import type { SqliteDatabase } from "../store/gateway-database.js";
import { physicalValue } from "../inference/window-features.js";
import { tumblingWindow } from "./event-windows.js";
import { ROLLUP_RESOLUTIONS, type RollupBucket, type RollupStore } from "./rollup-store.js";
import type { StreamId } from "./stream-id.js";

export const SERIES_RESOLUTIONS = ["auto", "raw", "1m", "1h"] as const;
export type SeriesResolution = (typeof SERIES_RESOLUTIONS)[number];

/** Spans up to this are answered from raw readings when the resolution is auto… */
export const AUTO_RAW_MAX_SPAN_MS = 15 * 60_000;
/** …up to this from 1-minute rollups, longer ones from 1-hour rollups. */
export const AUTO_MINUTE_MAX_SPAN_MS = 3 * 86_400_000;

export interface RawPoint {
  gatewaySeq: number;
  sampledAtMs: number;
  value: number;
  /** Undecided while inference has not scored the reading yet. */
  anomalous: boolean | null;
}

export interface Series {
  resolution: Exclude<SeriesResolution, "auto">;
  readings?: RawPoint[];
  buckets?: RollupBucket[];
  /** More points lay in the span than the limit let through (the oldest are given). */
  truncated: boolean;
}

/** The resolution auto picks for a span: the finest that keeps the answer a few thousand points. */
export function autoResolution(spanMs: number): Exclude<SeriesResolution, "auto"> {
  if (spanMs <= AUTO_RAW_MAX_SPAN_MS) return "raw";
  return spanMs <= AUTO_MINUTE_MAX_SPAN_MS ? "1m" : "1h";
}

/**
 * A stream's series over a time span, from raw readings or a rollup. Raw readings have no
 * index by stream and time (one would slow every insert down); the 1-minute rollups record
 * where each minute's readings lie in gateway_seq order, so a raw query reads only that
 * range (and what the rollups have not taken in yet).
 */
export class SeriesQuery {
  private readonly rollups: RollupStore;
  private readonly valuesCursor: () => number;
  private readonly rawBetween;

  constructor(deps: { db: SqliteDatabase; rollups: RollupStore; valuesCursor: () => number }) {
    this.rollups = deps.rollups;
    this.valuesCursor = deps.valuesCursor;
    const select = `SELECT gateway_seq, sampled_at_ms, value, scale, anomalous FROM readings
      WHERE gateway_seq BETWEEN ? AND ? AND device_id = ? AND channel = ? AND channel_index = ? AND sampled_at_ms BETWEEN ? AND ?`;
    this.rawBetween = deps.db.prepare(`${select} ORDER BY sampled_at_ms, gateway_seq LIMIT ?`).raw();
  }

  query(stream: StreamId, fromMs: number, toMs: number, resolution: SeriesResolution, limit: number): Series {
    const chosen = resolution === "auto" ? autoResolution(toMs - fromMs) : resolution;
    if (chosen !== "raw") {
      const resolutionMs = ROLLUP_RESOLUTIONS[chosen];
      // The bucket the span starts in counts too.
      const firstBucketMs = tumblingWindow(fromMs, resolutionMs).startMs;
      const buckets = this.rollups.buckets(stream, resolutionMs, firstBucketMs, toMs, limit + 1);
      return { resolution: chosen, buckets: buckets.slice(0, limit), truncated: buckets.length > limit };
    }
    const cursor = this.valuesCursor();
    const ranges: [number, number][] = [[cursor + 1, Number.MAX_SAFE_INTEGER]];
    const rolledUp = this.rollups.seqRange(stream, fromMs, toMs);
    if (rolledUp) ranges.unshift([rolledUp.first, Math.min(rolledUp.last, cursor)]);
    const readings: RawPoint[] = [];
    for (const [first, last] of ranges) {
      const rows = this.rawBetween.all(first, last, stream.deviceId, stream.channel, stream.index, fromMs, toMs, limit + 1) as [
        number,
        number,
        number,
        number,
        number | null,
      ][];
      for (const [gatewaySeq, sampledAtMs, value, scale, anomalous] of rows) {
        readings.push({
          gatewaySeq,
          sampledAtMs,
          value: physicalValue(value, scale),
          anomalous: anomalous === null ? null : anomalous === 1,
        });
      }
    }
    readings.sort((a, b) => a.sampledAtMs - b.sampledAtMs || a.gatewaySeq - b.gatewaySeq);
    return { resolution: "raw", readings: readings.slice(0, limit), truncated: readings.length > limit };
  }
}
