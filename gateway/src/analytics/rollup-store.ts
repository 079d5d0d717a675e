import type { RollupBucket } from "node-red-contrib-intelledger/gateway-api";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { tumblingWindow } from "./event-windows.js";
import { streamKey, type StreamId } from "./stream-id.js";

/** The rollup resolutions, by name: one minute and one hour. */
export const ROLLUP_RESOLUTIONS = { "1m": 60_000, "1h": 3_600_000 } as const;
export type RollupResolution = keyof typeof ROLLUP_RESOLUTIONS;

export type { RollupBucket };

/** What a stream's readings add to one bucket, folded in memory until it is merged into the table. */
export interface BucketDelta {
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  lastSampledAtMs: number;
  lastSeq: number;
  late: number;
  minSeq: number;
  maxSeq: number;
}

/** Folds one reading into the delta of its bucket in `deltas` (by bucket start). */
export function foldReading(
  deltas: Map<number, BucketDelta>,
  bucketMs: number,
  value: number,
  sampledAtMs: number,
  seq: number,
  late: boolean,
): void {
  const delta = deltas.get(bucketMs);
  if (!delta) {
    deltas.set(bucketMs, {
      count: 1,
      min: value,
      max: value,
      sum: value,
      last: value,
      lastSampledAtMs: sampledAtMs,
      lastSeq: seq,
      late: late ? 1 : 0,
      minSeq: seq,
      maxSeq: seq,
    });
    return;
  }
  delta.count++;
  if (value < delta.min) delta.min = value;
  if (value > delta.max) delta.max = value;
  delta.sum += value;
  // The last is the one sampled last; on a tie, the one stored last.
  if (sampledAtMs > delta.lastSampledAtMs || (sampledAtMs === delta.lastSampledAtMs && seq > delta.lastSeq)) {
    delta.last = value;
    delta.lastSampledAtMs = sampledAtMs;
    delta.lastSeq = seq;
  }
  if (late) delta.late++;
  if (seq < delta.minSeq) delta.minSeq = seq;
  if (seq > delta.maxSeq) delta.maxSeq = seq;
}

/**
 * The rollups table: 1-minute and 1-hour aggregates per stream, merged incrementally. The
 * readings are first folded in memory per bucket (foldReading), so a busy stream costs one
 * upsert per bucket and flush, not one per reading. Every aggregate is order-free (count,
 * min, max, sum, the last by sample time), so the rollups equal a recomputation from the
 * raw readings whatever order they arrived in.
 */
export class RollupStore {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      merge: db.prepare(
        `INSERT INTO rollups (device_id, channel, channel_index, resolution_ms, bucket_ms, count, min_value, max_value,
           sum_value, last_value, last_sampled_at_ms, last_gateway_seq, late_count, min_gateway_seq, max_gateway_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET
           count = count + excluded.count,
           min_value = min(min_value, excluded.min_value),
           max_value = max(max_value, excluded.max_value),
           sum_value = sum_value + excluded.sum_value,
           last_value = CASE WHEN (excluded.last_sampled_at_ms, excluded.last_gateway_seq) > (last_sampled_at_ms, last_gateway_seq)
             THEN excluded.last_value ELSE last_value END,
           last_gateway_seq = CASE WHEN (excluded.last_sampled_at_ms, excluded.last_gateway_seq) > (last_sampled_at_ms, last_gateway_seq)
             THEN excluded.last_gateway_seq ELSE last_gateway_seq END,
           last_sampled_at_ms = max(last_sampled_at_ms, excluded.last_sampled_at_ms),
           late_count = late_count + excluded.late_count,
           min_gateway_seq = min(min_gateway_seq, excluded.min_gateway_seq),
           max_gateway_seq = max(max_gateway_seq, excluded.max_gateway_seq)`,
      ),
      addAnomalies: db.prepare(
        `UPDATE rollups SET anomaly_count = anomaly_count + ?
         WHERE device_id = ? AND channel = ? AND channel_index = ? AND resolution_ms = ? AND bucket_ms = ?`,
      ),
      range: db.prepare(
        `SELECT bucket_ms, count, min_value, max_value, sum_value, last_value, last_sampled_at_ms, anomaly_count, late_count
         FROM rollups WHERE device_id = ? AND channel = ? AND channel_index = ? AND resolution_ms = ? AND bucket_ms BETWEEN ? AND ?
         ORDER BY bucket_ms LIMIT ?`,
      ),
      seqRange: db.prepare(
        `SELECT min(min_gateway_seq) AS first, max(max_gateway_seq) AS last FROM rollups
         WHERE device_id = ? AND channel = ? AND channel_index = ? AND resolution_ms = ? AND bucket_ms BETWEEN ? AND ?`,
      ),
      deleteBefore: db.prepare("DELETE FROM rollups WHERE resolution_ms = ? AND bucket_ms < ?"),
    };
  }

  /** Merges one stream's bucket deltas of one resolution into the table. */
  merge(stream: StreamId, resolutionMs: number, deltas: ReadonlyMap<number, BucketDelta>): void {
    for (const [bucketMs, d] of deltas) {
      this.statements.merge.run(
        stream.deviceId,
        stream.channel,
        stream.index,
        resolutionMs,
        bucketMs,
        d.count,
        d.min,
        d.max,
        d.sum,
        d.last,
        d.lastSampledAtMs,
        d.lastSeq,
        d.late,
        d.minSeq,
        d.maxSeq,
      );
    }
  }

  /** Counts anomalous readings (already added) in their buckets. */
  addAnomalies(anomalies: readonly (StreamId & { sampledAtMs: number })[]): void {
    const counts = new Map<string, { stream: StreamId; resolutionMs: number; bucketMs: number; n: number }>();
    for (const anomaly of anomalies) {
      for (const resolutionMs of Object.values(ROLLUP_RESOLUTIONS)) {
        const bucketMs = tumblingWindow(anomaly.sampledAtMs, resolutionMs).startMs;
        const key = `${streamKey(anomaly.deviceId, anomaly.channel, anomaly.index)}@${resolutionMs}@${bucketMs}`;
        const entry = counts.get(key) ?? { stream: anomaly, resolutionMs, bucketMs, n: 0 };
        entry.n++;
        counts.set(key, entry);
      }
    }
    for (const { stream, resolutionMs, bucketMs, n } of counts.values()) {
      this.statements.addAnomalies.run(n, stream.deviceId, stream.channel, stream.index, resolutionMs, bucketMs);
    }
  }

  /** The buckets of a stream starting within [fromMs, toMs], oldest first, at most `limit`. */
  buckets(stream: StreamId, resolutionMs: number, fromMs: number, toMs: number, limit: number): RollupBucket[] {
    const rows = this.statements.range
      .raw()
      .all(stream.deviceId, stream.channel, stream.index, resolutionMs, fromMs, toMs, limit) as number[][];
    return rows.map(([bucketMs, count, min, max, sum, last, lastSampledAtMs, anomalyCount, lateCount]) => ({
      bucketMs: bucketMs as number,
      count: count as number,
      min: min as number,
      max: max as number,
      mean: (sum as number) / (count as number),
      last: last as number,
      lastSampledAtMs: lastSampledAtMs as number,
      anomalyCount: anomalyCount as number,
      lateCount: lateCount as number,
    }));
  }

  /** The gateway_seq range holding a stream's readings sampled in the minutes of [fromMs, toMs]; undefined when none were. */
  seqRange(stream: StreamId, fromMs: number, toMs: number): { first: number; last: number } | undefined {
    const minute = ROLLUP_RESOLUTIONS["1m"];
    const row = this.statements.seqRange.get(
      stream.deviceId,
      stream.channel,
      stream.index,
      minute,
      tumblingWindow(fromMs, minute).startMs,
      toMs,
    ) as { first: number | null; last: number | null };
    return row.first === null || row.last === null ? undefined : { first: row.first, last: row.last };
  }

  /** Deletes a resolution's buckets that started before `beforeMs`; returns how many. */
  deleteBefore(resolutionMs: number, beforeMs: number): number {
    return this.statements.deleteBefore.run(resolutionMs, beforeMs).changes;
  }
}
