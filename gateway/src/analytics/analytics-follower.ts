import type { Logger } from "pino";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { LAST_SEQ, type FrameToStore, type ReadingStore } from "../store/reading-store.js";
import { EventTimeWatermark } from "./event-windows.js";
import { foldReading, ROLLUP_RESOLUTIONS, RollupStore, type BucketDelta } from "./rollup-store.js";
import { streamKey, type StreamId } from "./stream-id.js";

const MINUTE_MS = ROLLUP_RESOLUTIONS["1m"];
const HOUR_MS = ROLLUP_RESOLUTIONS["1h"];

/** The gateway_seq through which every reading is in the rollups (0 before the first). */
export function rolledUpThrough(db: SqliteDatabase): number {
  return (db.prepare("SELECT gateway_seq FROM analytics_cursors WHERE name = 'values'").pluck().get() as number | undefined) ?? 0;
}

/** A stored reading as rules see it. */
export interface FollowedReading extends StreamId {
  gatewaySeq: number;
  sampledAtMs: number;
  receivedAtMs: number;
  /** Physical: value × 10^-scale. */
  value: number;
  /** Arrived after its stream's event time had passed it by more than the allowed lateness. */
  late: boolean;
}

/** An anomalous reading, once inference decided it. */
export interface DecidedAnomaly extends StreamId {
  gatewaySeq: number;
  sampledAtMs: number;
}

/**
 * What else follows the readings (the alert rules). It keeps its state in memory and writes
 * it when asked to persist, in the follower's flush transaction, with the cursors.
 */
export interface ReadingObserver {
  /** Whether the observer wants the readings of a stream (asked once per stream). */
  watches(stream: StreamId): boolean;
  onValue(reading: FollowedReading, nowMs: number): void;
  onAnomaly(anomaly: DecidedAnomaly, nowMs: number): void;
  /** Once per tick: how far each stream's event time is decided, and when each device was last heard from. */
  onTick(
    decidedWatermarks: ReadonlyMap<string, { stream: StreamId; watermarkMs: number }>,
    lastReceivedByDevice: ReadonlyMap<string, number>,
    nowMs: number,
  ): void;
  /** Something happened that should be written (and told) at once: an alert. */
  readonly urgent: boolean;
  /** Writes the state (inside the flush transaction)… */
  persist(): void;
  /** …which then committed. */
  persisted(): void;
}

interface StreamState extends StreamId {
  key: string;
  watermark: EventTimeWatermark;
  lastReceivedMs: number;
  dirty: boolean;
  watched: boolean | undefined;
  minutes: Map<number, BucketDelta>;
  hours: Map<number, BucketDelta>;
}

export interface AnalyticsFollowerOptions {
  db: SqliteDatabase;
  allowedLatenessMs: number;
  observer?: ReadingObserver;
  logger: Logger;
  /** Readings read back from the table per tick when catching up. */
  maxPerTick?: number;
  /** Rollups are written at most this often (and at once when a rule fires or resolves). */
  flushIntervalMs?: number;
  now?: () => number;
}

type ReadingRow = [number, string, number, number, number, number, number, number];

/**
 * Keeps the rollups, each stream's event-time watermark and the observer's state (alert
 * rules) in step with the readings table, in gateway_seq order. Readings arrive two ways:
 * handed over by the reading store as each commit is durable (the common path: nothing is
 * read back), or read from the table after a restart or for what was stored otherwise.
 * Aggregates are folded in memory and written, with the cursor through which they hold,
 * in one transaction at most every flushIntervalMs, so a busy stream costs one upsert per
 * bucket and flush. A crash loses only what was not flushed, and the next start reads
 * those readings again from the table: nothing is counted twice or missed. Anomaly flags,
 * decided by inference later, are taken from the table by a second cursor.
 */
export class AnalyticsFollower {
  readonly rollups: RollupStore;
  /** CPU time this thread spent following (ticks and flushes), for benchmarks and metrics. */
  cpuMs = 0;
  private readonly options: AnalyticsFollowerOptions;
  private readonly maxPerTick: number;
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  private readonly streams = new Map<string, StreamState>();
  /** The same streams by device, then by channel and index as one number: found without building a key per reading. */
  private readonly streamsByDevice = new Map<string, Map<number, StreamState>>();
  private readonly lastReceivedByDevice = new Map<string, number>();
  private readonly statements;
  private readonly flushTransaction: () => void;
  private readonly handedOver: { frames: readonly FrameToStore[]; firstSeq: number }[] = [];
  private allowedLatenessMs: number;
  private observer: ReadingObserver | undefined;
  /** Every reading through this gateway_seq is folded in (in memory, or flushed). */
  private fedThrough: number;
  private decidedThrough: number;
  private pendingAnomalies: DecidedAnomaly[] = [];
  private lastFlushMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: AnalyticsFollowerOptions) {
    const { db } = options;
    this.options = options;
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.observer = options.observer;
    this.maxPerTick = options.maxPerTick ?? 20_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.rollups = new RollupStore(db);
    this.statements = {
      cursor: db.prepare("SELECT gateway_seq FROM analytics_cursors WHERE name = ?").pluck(),
      setCursor: db.prepare(
        "INSERT INTO analytics_cursors (name, gateway_seq) VALUES (?, ?) ON CONFLICT DO UPDATE SET gateway_seq = excluded.gateway_seq",
      ),
      lastSeq: db.prepare(LAST_SEQ).pluck(),
      values: db
        .prepare(
          `SELECT gateway_seq, device_id, channel, channel_index, sampled_at_ms, received_at_ms, value, scale
           FROM readings WHERE gateway_seq > ? AND gateway_seq <= ? ORDER BY gateway_seq LIMIT ?`,
        )
        .raw(),
      firstUndecided: db
        .prepare(
          "SELECT gateway_seq FROM reading_rows WHERE gateway_seq > ? AND gateway_seq <= ? AND anomalous IS NULL ORDER BY gateway_seq LIMIT 1",
        )
        .pluck(),
      anomalies: db
        .prepare(
          `SELECT gateway_seq, device_id, channel, channel_index, sampled_at_ms FROM readings
           WHERE gateway_seq > ? AND gateway_seq <= ? AND anomalous = 1 ORDER BY gateway_seq`,
        )
        .raw(),
      streams: db
        .prepare("SELECT device_id, channel, channel_index, watermark_ms, last_received_ms FROM analytics_streams")
        .raw(),
      saveStream: db.prepare(
        `INSERT INTO analytics_streams (device_id, channel, channel_index, watermark_ms, last_received_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET watermark_ms = excluded.watermark_ms, last_received_ms = excluded.last_received_ms`,
      ),
    };
    for (const [deviceId, channel, index, watermarkMs, lastReceivedMs] of this.statements.streams.all() as [
      string,
      number,
      number,
      number,
      number,
    ][]) {
      const stream = this.stream(deviceId, channel, index, lastReceivedMs);
      stream.watermark = new EventTimeWatermark(this.allowedLatenessMs, watermarkMs);
      stream.dirty = false;
    }
    this.fedThrough = this.cursor("values");
    this.decidedThrough = this.cursor("decisions");
    this.lastFlushMs = this.now();
    this.flushTransaction = db.transaction(() => this.write());
  }

  /** Takes readings from `readings` as each commit of it is durable; returns how to stop. */
  follow(readings: ReadingStore): () => void {
    return readings.onCommitted((frames, firstSeq) => this.handedOver.push({ frames, firstSeq }));
  }

  /** Follows every `intervalMs`. */
  start(intervalMs: number): void {
    const run = () => {
      let full = false;
      try {
        full = this.tick() >= this.maxPerTick;
      } catch (error) {
        this.options.logger.error({ err: error }, "analytics could not follow the readings");
      }
      this.timer = setTimeout(run, full ? 0 : intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(run, intervalMs);
    this.timer.unref();
  }

  /** Stops following and writes what is folded in memory. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /** The gateway_seq through which every reading is in the rollups table. */
  valuesCursor(): number {
    return this.cursor("values");
  }

  /** The gateway_seq through which every reading's anomaly flag is counted in the table. */
  decidedCursor(): number {
    return this.cursor("decisions");
  }

  /**
   * Takes what was stored since the last tick, evaluates the observer, and writes it all
   * when a flush is due; returns how many readings were read back from the table.
   */
  tick(): number {
    const cpuBefore = process.threadCpuUsage();
    const nowMs = this.now();
    const readBack = this.takeValues(nowMs);
    this.takeDecisions(nowMs);
    this.observer?.onTick(this.decidedWatermarks(), this.lastReceivedByDevice, nowMs);
    if (this.observer?.urgent || nowMs - this.lastFlushMs >= this.flushIntervalMs) this.flush();
    const cpu = process.threadCpuUsage(cpuBefore);
    this.cpuMs += (cpu.user + cpu.system) / 1_000;
    return readBack;
  }

  /** Writes what is folded in memory, the observer's state and the cursors, in one transaction. */
  flush(): void {
    this.flushTransaction();
    // Only once written: a flush that failed is done again, whole, at the next tick.
    for (const stream of this.streams.values()) {
      if (!stream.dirty) continue;
      stream.minutes.clear();
      stream.hours.clear();
      stream.dirty = false;
    }
    this.pendingAnomalies = [];
    this.observer?.persisted();
    this.lastFlushMs = this.now();
  }

  private cursor(name: "values" | "decisions"): number {
    return (this.statements.cursor.get(name) as number | undefined) ?? 0;
  }

  private stream(deviceId: string, channel: number, index: number, receivedAtMs: number): StreamState {
    let ofDevice = this.streamsByDevice.get(deviceId);
    if (!ofDevice) {
      ofDevice = new Map();
      this.streamsByDevice.set(deviceId, ofDevice);
    }
    const found = ofDevice.get(channel * 2 ** 32 + index);
    if (found) return found;
    const key = streamKey(deviceId, channel, index);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = {
        deviceId,
        channel,
        index,
        key,
        watermark: new EventTimeWatermark(this.allowedLatenessMs),
        lastReceivedMs: receivedAtMs,
        dirty: true,
        watched: undefined,
        minutes: new Map(),
        hours: new Map(),
      };
      this.streams.set(key, stream);
    }
    ofDevice.set(channel * 2 ** 32 + index, stream);
    return stream;
  }

  /** Folds one reading in: rollup buckets, watermark, last heard from, and the observer's rules. */
  private take(
    seq: number,
    deviceId: string,
    channel: number,
    index: number,
    sampledAtMs: number,
    receivedAtMs: number,
    value: number,
    nowMs: number,
  ): void {
    const stream = this.stream(deviceId, channel, index, receivedAtMs);
    const late = stream.watermark.observe(sampledAtMs) === "late";
    foldReading(
      stream.minutes,
      sampledAtMs - (((sampledAtMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS),
      value,
      sampledAtMs,
      seq,
      late,
    );
    foldReading(stream.hours, sampledAtMs - (((sampledAtMs % HOUR_MS) + HOUR_MS) % HOUR_MS), value, sampledAtMs, seq, late);
    if (receivedAtMs > stream.lastReceivedMs) stream.lastReceivedMs = receivedAtMs;
    stream.dirty = true;
    if (receivedAtMs > (this.lastReceivedByDevice.get(deviceId) ?? Number.NEGATIVE_INFINITY)) {
      this.lastReceivedByDevice.set(deviceId, receivedAtMs);
    }
    const observer = this.observer;
    if (!observer) return;
    stream.watched ??= observer.watches(stream);
    if (stream.watched)
      observer.onValue({ deviceId, channel, index, gatewaySeq: seq, sampledAtMs, receivedAtMs, value, late }, nowMs);
  }

  private takeValues(nowMs: number): number {
    let readBack = 0;
    const handedOver = this.handedOver.splice(0);
    for (const { frames, firstSeq } of handedOver) {
      // Stored some other way in between (a write-back inside another transaction, or before this start): read them.
      while (firstSeq > this.fedThrough + 1) readBack += this.readBack(firstSeq - 1, nowMs);
      let seq = firstSeq;
      for (const frame of frames) {
        const receivedAtMs = frame.clock.nowMs;
        for (const sample of frame.samples) {
          if (seq > this.fedThrough) {
            this.take(
              seq,
              frame.deviceId,
              sample.channel,
              sample.index,
              sample.timestampMs,
              receivedAtMs,
              sample.value / 10 ** sample.scale,
              nowMs,
            );
          }
          seq++;
        }
      }
      if (seq - 1 > this.fedThrough) this.fedThrough = seq - 1;
    }
    // Catching up (after a start), or readings stored without being handed over.
    if (handedOver.length === 0) readBack += this.readBack(this.statements.lastSeq.get() as number, nowMs);
    return readBack;
  }

  /** Reads readings up to `throughSeq` back from the table (at most maxPerTick); returns how many. */
  private readBack(throughSeq: number, nowMs: number): number {
    if (throughSeq <= this.fedThrough) return 0;
    const rows = this.statements.values.all(this.fedThrough, throughSeq, this.maxPerTick) as ReadingRow[];
    for (const [seq, deviceId, channel, index, sampledAtMs, receivedAtMs, value, scale] of rows) {
      this.take(seq, deviceId, channel, index, sampledAtMs, receivedAtMs, value / 10 ** scale, nowMs);
      this.fedThrough = seq;
    }
    // Rows deleted meanwhile (released, pruned) leave gaps; what is not there is not waited for.
    if (rows.length < this.maxPerTick) this.fedThrough = Math.max(this.fedThrough, throughSeq);
    return rows.length;
  }

  /** Counts the anomalies among readings decided in order since the last tick (an undecided one holds the rest back). */
  private takeDecisions(nowMs: number): void {
    if (this.decidedThrough >= this.fedThrough) return;
    const undecided = this.statements.firstUndecided.get(this.decidedThrough, this.fedThrough) as number | undefined;
    const through = undecided === undefined ? this.fedThrough : undecided - 1;
    if (through <= this.decidedThrough) return;
    const rows = this.statements.anomalies.all(this.decidedThrough, through) as [number, string, number, number, number][];
    for (const [gatewaySeq, deviceId, channel, index, sampledAtMs] of rows) {
      const anomaly = { gatewaySeq, deviceId, channel, index, sampledAtMs };
      this.pendingAnomalies.push(anomaly);
      const stream = this.streams.get(streamKey(deviceId, channel, index));
      if (stream?.watched) this.observer?.onAnomaly(anomaly, nowMs);
    }
    this.decidedThrough = through;
  }

  /** Each watched stream's event time as far as its anomaly flags are decided. */
  private decidedWatermarks(): Map<string, { stream: StreamId; watermarkMs: number }> {
    const watermarks = new Map<string, { stream: StreamId; watermarkMs: number }>();
    if (this.decidedThrough < this.fedThrough) return watermarks;
    for (const stream of this.streams.values()) {
      if (stream.watched) watermarks.set(stream.key, { stream, watermarkMs: stream.watermark.watermarkMs });
    }
    return watermarks;
  }

  private write(): void {
    for (const stream of this.streams.values()) {
      if (!stream.dirty) continue;
      this.rollups.merge(stream, MINUTE_MS, stream.minutes);
      this.rollups.merge(stream, HOUR_MS, stream.hours);
      this.statements.saveStream.run(
        stream.deviceId,
        stream.channel,
        stream.index,
        stream.watermark.watermarkMs,
        stream.lastReceivedMs,
      );
    }
    this.rollups.addAnomalies(this.pendingAnomalies);
    this.observer?.persist();
    this.statements.setCursor.run("values", this.fedThrough);
    this.statements.setCursor.run("decisions", this.decidedThrough);
  }
}
