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

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.statements = {
      insert: db.prepare(
        `INSERT INTO readings (device_id, frame_counter, channel, channel_index, sampled_at_ms, received_at_ms, value, scale,
           data_class, time_uncertain, received_boot, received_uptime_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      advanceCounter: db.prepare(
        `UPDATE devices SET last_counter = max(last_counter, ?), last_seen_ms = ?, last_transport = ?,
           last_status = coalesce(?, last_status)
         WHERE device_id = ?`,
      ),
      ofClassAfter: db.prepare(`${SELECT_READINGS} WHERE data_class = ? AND gateway_seq > ? ORDER BY gateway_seq LIMIT ?`),
      ofBatch: db.prepare(`${SELECT_READINGS} WHERE data_class = ? AND gateway_seq BETWEEN ? AND ? ORDER BY gateway_seq`),
      deleteOfBatch: db.prepare("DELETE FROM readings WHERE data_class = ? AND gateway_seq BETWEEN ? AND ?"),
      between: db.prepare(`${SELECT_READINGS} WHERE gateway_seq BETWEEN ? AND ? ORDER BY gateway_seq`),
      settleOfClassBetween: db.prepare(
        `UPDATE readings SET anomalous = 0, unscored_reason = ?
         WHERE data_class = ? AND gateway_seq BETWEEN ? AND ? AND anomalous IS NULL`,
      ),
    };
    // One transaction for many frames: the fsync is the cost, so it is shared (group commit).
    this.commitTransaction = db.transaction((frames: readonly FrameToStore[]): number => {
      let lastSeq: number | bigint = 0;
      for (const frame of frames) {
        const { clock } = frame;
        for (const sample of frame.samples) {
          lastSeq = this.statements.insert.run(
            frame.deviceId,
            frame.counter,
            sample.channel,
            sample.index,
            sample.timestampMs,
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

  /** Stores the frames and advances their devices' counters, all or nothing. */
  commitFrames(frames: readonly FrameToStore[]): void {
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
    return (this.statements.ofClassAfter.all(dataClass, afterSeq, limit) as ReadingRow[]).map(toReading);
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
    return (this.db.prepare("SELECT coalesce(max(gateway_seq), 0) AS seq FROM readings").get() as { seq: number }).seq;
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM readings").get() as { n: number }).n;
  }

  /** The data classes stored readings have, found by stepping through the class index (one lookup per class). */
  storedDataClasses(): number[] {
    const rows = this.db
      .prepare(
        `WITH RECURSIVE classes(class) AS (
           SELECT min(data_class) FROM readings
           UNION ALL SELECT (SELECT min(data_class) FROM readings WHERE data_class > class) FROM classes WHERE class IS NOT NULL)
         SELECT class FROM classes WHERE class IS NOT NULL`,
      )
      .all() as { class: number }[];
    return rows.map((row) => row.class);
  }
}
