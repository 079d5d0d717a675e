import { DeviceStatus } from "@intelledger/proto/device";
import type { BatchHeader, Reading } from "@intelledger/proto/relay";
import type { ClockReading } from "../clock/gateway-clock.js";
import type { SqliteDatabase } from "./gateway-database.js";

/** An accepted frame as it is stored: one row per sample, and the device's latest state. */
export interface FrameToStore {
  deviceId: string;
  /** A device's frame counter is a uint64: a bigint from the acceptor, stored as SQLite's int64. */
  counter: number | bigint;
  clock: ClockReading;
  transport: string;
  status: DeviceStatus | undefined;
  samples: readonly { channel: number; index: number; timestampMs: number; value: number; scale: number; dataClass: number }[];
}

/**
 * Selects readings as ReadingRows. SQLite's int64 would come back as a JavaScript number,
 * inexact from 2^53, so the frame counter (a uint64 of the device) comes as text as well.
 */
export const SELECT_READINGS = "SELECT *, CAST(frame_counter AS TEXT) AS frame_counter_text FROM readings";

/** The last gateway_seq given, 0 before the first reading (from the rows: a maximum over the view is a scan). */
export const LAST_SEQ = "SELECT coalesce(max(gateway_seq), 0) FROM reading_rows";

export interface ReadingRow {
  gateway_seq: number;
  device_id: string;
  /** The exact frame counter, in decimal. */
  frame_counter_text: string;
  channel: number;
  channel_index: number;
  sampled_at_ms: number;
  received_at_ms: number;
  value: number;
  scale: number;
  data_class: number;
  time_uncertain: number;
  received_boot: number;
  received_uptime_ms: number;
  anomaly_score: number | null;
  anomalous: number | null;
  model_version: string | null;
  unscored_reason: string | null;
}

export interface StoredReading extends Reading {
  dataClass: number;
  /** Whether the anomaly flag is decided (scored, or settled unscored); only decided readings are sealed when inference runs. */
  decided: boolean;
  anomalyScore: number | undefined;
  /** `<model name>@<version>` of the model that scored the reading. */
  modelVersion: string | undefined;
  unscoredReason: string | undefined;
}

/** Which readings a batch holds: those of its data class in its gateway_seq range. */
export type BatchReadings = Pick<BatchHeader, "dataClass" | "firstGatewaySeq" | "lastGatewaySeq">;

/** Why a reading's anomaly flag was decided without a model score. */
export type UnscoredReason = "warming-up" | "scoring-timeout" | "inference-disabled";

export function toReading(row: ReadingRow): StoredReading {
  return {
    gatewaySeq: row.gateway_seq,
    deviceId: row.device_id,
    frameCounter: BigInt(row.frame_counter_text),
    channel: row.channel,
    channelIndex: row.channel_index,
    sampledAtMs: row.sampled_at_ms,
    receivedAtMs: row.received_at_ms,
    value: row.value,
    scale: row.scale,
    timeUncertain: row.time_uncertain === 1,
    receivedBoot: row.received_boot,
    receivedUptimeMs: row.received_uptime_ms,
    anomalous: row.anomalous === 1,
    dataClass: row.data_class,
    decided: row.anomalous !== null,
    anomalyScore: row.anomaly_score ?? undefined,
    modelVersion: row.model_version ?? undefined,
    unscoredReason: row.unscored_reason ?? undefined,
  };
}

/** Durable readings: each sample of an accepted frame becomes one row with its gateway sequence number. */
export class ReadingStore {
  private readonly db: SqliteDatabase;
  private readonly statements;
  private readonly commitTransaction;
  private readonly committedListeners = new Set<(frames: readonly FrameToStore[], firstSeq: number) => void>();

  /** Source ids to their numbers in reading_sources; sources are never removed, so a number stays valid. */
  private readonly sources = new Map<string, number>();
  private readonly classes = new Set<number>();
  /**
   * Per data class, a gateway_seq through which the class is known to have no readings after
   * the one asked for last: readings are found by walking gateway_seq, so a class that went
   * quiet would otherwise be walked from its last reading to the newest every time it is asked.
   */
  private readonly classEmptyThrough = new Map<number, number>();

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.statements = {
      insert: db.prepare(
        `INSERT INTO reading_rows (source, frame_counter, channel, channel_index, sample_lag_ms, received_at_ms, value, scale,
           data_class, time_uncertain, received_boot, received_uptime_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      sourceOf: db.prepare("SELECT source FROM reading_sources WHERE source_id = ?").pluck(),
      addSource: db.prepare("INSERT OR IGNORE INTO reading_sources (source_id) VALUES (?)"),
      addClass: db.prepare("INSERT OR IGNORE INTO reading_classes (data_class) VALUES (?)"),
      advanceCounter: db.prepare(
        `UPDATE devices SET last_counter = max(last_counter, ?), last_seen_ms = ?, last_transport = ?,
           last_status = coalesce(?, last_status)
         WHERE device_id = ?`,
      ),
      ofClassAfter: db.prepare(`${SELECT_READINGS} WHERE data_class = ? AND gateway_seq > ? ORDER BY gateway_seq LIMIT ?`),
      ofBatch: db.prepare(`${SELECT_READINGS} WHERE data_class = ? AND gateway_seq BETWEEN ? AND ? ORDER BY gateway_seq`),
      deleteOfBatch: db.prepare("DELETE FROM reading_rows WHERE data_class = ? AND gateway_seq BETWEEN ? AND ?"),
      between: db.prepare(`${SELECT_READINGS} WHERE gateway_seq BETWEEN ? AND ? ORDER BY gateway_seq`),
      settleOfClassBetween: db.prepare(
        `UPDATE reading_rows SET anomalous = 0, unscored = (SELECT code FROM unscored_reasons WHERE reason = ?)
         WHERE data_class = ? AND gateway_seq BETWEEN ? AND ? AND anomalous IS NULL`,
      ),
      lastSeq: db.prepare(LAST_SEQ).pluck(),
    };
    // One transaction for many frames: the fsync is the cost, so it is shared (group commit).
    this.commitTransaction = db.transaction((frames: readonly FrameToStore[]): number => {
      let lastSeq: number | bigint = 0;
      for (const frame of frames) {
        const { clock } = frame;
        const source = this.sourceNumber(frame.deviceId);
        for (const sample of frame.samples) {
          this.noteClass(sample.dataClass);
          lastSeq = this.statements.insert.run(
            source,
            frame.counter,
            sample.channel,
            sample.index,
            clock.nowMs - sample.timestampMs,
            clock.nowMs,
            sample.value,
            sample.scale,
            sample.dataClass,
            clock.uncertain ? 1 : 0,
            clock.boot,
            clock.uptimeMs,
          ).lastInsertRowid;
        }
        const status = frame.status && Buffer.from(DeviceStatus.encode(frame.status).finish());
        this.statements.advanceCounter.run(frame.counter, clock.nowMs, frame.transport, status ?? null, frame.deviceId);
      }
      return Number(lastSeq);
    });
  }

  private sourceNumber(sourceId: string): number {
    const known = this.sources.get(sourceId);
    if (known !== undefined) return known;
    this.statements.addSource.run(sourceId);
    const source = this.statements.sourceOf.get(sourceId) as number;
    // Only a committed number is kept: one rolled back could be given to another source.
    if (!this.db.inTransaction) this.sources.set(sourceId, source);
    return source;
  }

  private noteClass(dataClass: number): void {
    if (this.classes.has(dataClass)) return;
    this.statements.addClass.run(dataClass);
    if (!this.db.inTransaction) this.classes.add(dataClass);
  }

  /** Stores the frames and advances their devices' counters, all or nothing. */
  commitFrames(frames: readonly FrameToStore[]): void {
    // New sources and classes first, committed on their own when no transaction encloses this one.
    for (const frame of frames) {
      this.sourceNumber(frame.deviceId);
      for (const sample of frame.samples) this.noteClass(sample.dataClass);
    }
    const lastSeq = this.commitTransaction(frames);
    // Inside an enclosing transaction nothing is durable yet: listeners find those readings in the table.
    if (this.committedListeners.size === 0 || this.db.inTransaction || lastSeq === 0) return;
    let samples = 0;
    for (const frame of frames) samples += frame.samples.length;
    for (const listener of this.committedListeners) listener(frames, lastSeq - samples + 1);
  }

  /**
   * Tells `listener` of every commit of frames, once durable: the frames, and the gateway_seq
   * their first sample got (the others follow in order). Lets analytics take readings as
   * they are stored without reading them back; returns how to stop.
   */
  onCommitted(listener: (frames: readonly FrameToStore[], firstSeq: number) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Up to `limit` readings of a data class after `afterSeq`, in order. */
  ofClassAfter(dataClass: number, afterSeq: number, limit: number): StoredReading[] {
    const from = Math.max(afterSeq, this.classEmptyThrough.get(dataClass) ?? 0);
    const rows = this.statements.ofClassAfter.all(dataClass, from, limit) as ReadingRow[];
    // gateway_seq only grows, so none of the class's readings will appear at or below the newest now.
    if (rows.length === 0) this.classEmptyThrough.set(dataClass, this.lastSeq());
    return rows.map(toReading);
  }

  /** The readings of one batch, in gateway_seq order. */
  ofBatch(batch: BatchReadings): StoredReading[] {
    return (this.statements.ofBatch.all(batch.dataClass, batch.firstGatewaySeq, batch.lastGatewaySeq) as ReadingRow[]).map(
      toReading,
    );
  }

  /** Deletes the readings of one batch; returns how many. */
  deleteOfBatch(batch: BatchReadings): number {
    return this.statements.deleteOfBatch.run(batch.dataClass, batch.firstGatewaySeq, batch.lastGatewaySeq).changes;
  }

  /**
   * Decides the undecided readings of a class in a range as not anomalous, for `reason`;
   * returns how many. Readings already scored keep their flags.
   */
  settleUnscored(dataClass: number, firstSeq: number, lastSeq: number, reason: UnscoredReason): number {
    return this.statements.settleOfClassBetween.run(reason, dataClass, firstSeq, lastSeq).changes;
  }

  /** Every class's readings in a gateway_seq range, in order. */
  between(firstSeq: number, lastSeq: number): StoredReading[] {
    return (this.statements.between.all(firstSeq, lastSeq) as ReadingRow[]).map(toReading);
  }

  /** The last gateway_seq given, 0 before the first reading. */
  lastSeq(): number {
    return this.statements.lastSeq.get() as number;
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM reading_rows").get() as { n: number }).n;
  }

  /** The data classes readings were ever stored with. */
  storedDataClasses(): number[] {
    return this.db.prepare("SELECT data_class FROM reading_classes ORDER BY data_class").pluck().all() as number[];
  }
}
