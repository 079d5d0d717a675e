import type { Logger } from "pino";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { physicalValue } from "../inference/window-features.js";
import { EventTimeWatermark } from "./event-windows.js";
import { RollupStore, type RollupInput } from "./rollup-store.js";
import { streamKey } from "./stream-id.js";

/** The gateway_seq through which every reading is in the rollups (0 before the first). */
export function rolledUpThrough(db: SqliteDatabase): number {
  return (db.prepare("SELECT gateway_seq FROM analytics_cursors WHERE name = 'values'").pluck().get() as number | undefined) ?? 0;
}

/** A stored reading as analytics follows it. */
export interface FollowedReading extends RollupInput {
  receivedAtMs: number;
}

/** A reading whose anomaly flag is decided. */
export interface DecidedReading {
  gatewaySeq: number;
  deviceId: string;
  channel: number;
  index: number;
  sampledAtMs: number;
  anomalous: boolean;
}

/** What else follows the readings, inside the same transaction as the rollups and the cursors. */
export interface ReadingObserver {
  onValues(readings: readonly FollowedReading[], nowMs: number): void;
  onDecisions(readings: readonly DecidedReading[], nowMs: number): void;
  /** Once per tick, after the readings: when each device was last heard from. */
  onTick(lastReceivedByDevice: ReadonlyMap<string, number>, nowMs: number): void;
}

interface StreamState {
  deviceId: string;
  channel: number;
  index: number;
  watermark: EventTimeWatermark;
  lastReceivedMs: number;
  dirty: boolean;
}

export interface AnalyticsFollowerOptions {
  db: SqliteDatabase;
  allowedLatenessMs: number;
  observer?: ReadingObserver;
  logger: Logger;
  /** Readings taken per transaction; a tick that fills it goes on at once. */
  maxPerTick?: number;
  now?: () => number;
}

/**
 * Follows the readings table in gateway_seq order, as readings become durable (device
 * frames and flows' write-backs alike), and keeps the rollups, each stream's event-time
 * watermark and the observer's state (alert rules) in step with it. Two cursors: one over
 * every stored reading (values), one over readings whose anomaly flag is decided (inference
 * decides a little later). Each tick is one transaction holding the cursors too, so after a
 * crash or restart the follower resumes exactly where its last tick ended: nothing counted
 * twice or missed. Ingest is not touched: the follower only reads what is already durable.
 */
export class AnalyticsFollower {
  readonly rollups: RollupStore;
  private readonly options: AnalyticsFollowerOptions;
  private readonly maxPerTick: number;
  private readonly now: () => number;
  private readonly streams = new Map<string, StreamState>();
  private readonly lastReceivedByDevice = new Map<string, number>();
  private readonly statements;
  private readonly tickTransaction: () => number;
  private allowedLatenessMs: number;
  private observer: ReadingObserver | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: AnalyticsFollowerOptions) {
    const { db } = options;
    this.options = options;
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.observer = options.observer;
    this.maxPerTick = options.maxPerTick ?? 20_000;
    this.now = options.now ?? Date.now;
    this.rollups = new RollupStore(db);
    this.statements = {
      cursor: db.prepare("SELECT gateway_seq FROM analytics_cursors WHERE name = ?").pluck(),
      setCursor: db.prepare(
        "INSERT INTO analytics_cursors (name, gateway_seq) VALUES (?, ?) ON CONFLICT DO UPDATE SET gateway_seq = excluded.gateway_seq",
      ),
      values: db
        .prepare(
          `SELECT gateway_seq, device_id, channel, channel_index, sampled_at_ms, received_at_ms, value, scale
           FROM readings WHERE gateway_seq > ? ORDER BY gateway_seq LIMIT ?`,
        )
        .raw(),
      decisions: db
        .prepare(
          `SELECT gateway_seq, anomalous, device_id, channel, channel_index, sampled_at_ms
           FROM readings WHERE gateway_seq > ? AND gateway_seq <= ? ORDER BY gateway_seq LIMIT ?`,
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
      this.streams.set(streamKey(deviceId, channel, index), {
        deviceId,
        channel,
        index,
        watermark: new EventTimeWatermark(this.allowedLatenessMs, watermarkMs),
        lastReceivedMs,
        dirty: false,
      });
      this.noteReceived(deviceId, lastReceivedMs);
    }
    this.tickTransaction = db.transaction(() => this.step());
  }

  /** Starts following every `intervalMs`. */
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

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A new allowed lateness (from the next reading on) or observer. */
  reconfigure(options: { allowedLatenessMs: number; observer: ReadingObserver | undefined }): void {
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.observer = options.observer;
    for (const stream of this.streams.values()) {
      stream.watermark = new EventTimeWatermark(options.allowedLatenessMs, stream.watermark.watermarkMs);
    }
  }

  /** Takes what was stored since the last tick, in one transaction; returns how many readings it took. */
  tick(): number {
    return this.tickTransaction();
  }

  /** The gateway_seq up to which every reading is in the rollups. */
  valuesCursor(): number {
    return this.cursor("values");
  }

  private cursor(name: "values" | "decisions"): number {
    return (this.statements.cursor.get(name) as number | undefined) ?? 0;
  }

  private noteReceived(deviceId: string, receivedMs: number): void {
    if (receivedMs > (this.lastReceivedByDevice.get(deviceId) ?? Number.NEGATIVE_INFINITY)) {
      this.lastReceivedByDevice.set(deviceId, receivedMs);
    }
  }

  private step(): number {
    const nowMs = this.now();
    const valuesAfter = this.cursor("values");
    const rows = this.statements.values.all(valuesAfter, this.maxPerTick) as [
      number,
      string,
      number,
      number,
      number,
      number,
      number,
      number,
    ][];
    const followed: FollowedReading[] = [];
    for (const [gatewaySeq, deviceId, channel, index, sampledAtMs, receivedAtMs, value, scale] of rows) {
      const key = streamKey(deviceId, channel, index);
      let stream = this.streams.get(key);
      if (!stream) {
        stream = {
          deviceId,
          channel,
          index,
          watermark: new EventTimeWatermark(this.allowedLatenessMs),
          lastReceivedMs: receivedAtMs,
          dirty: true,
        };
        this.streams.set(key, stream);
      }
      const late = stream.watermark.observe(sampledAtMs) === "late";
      stream.lastReceivedMs = Math.max(stream.lastReceivedMs, receivedAtMs);
      stream.dirty = true;
      this.noteReceived(deviceId, receivedAtMs);
      followed.push({
        gatewaySeq,
        deviceId,
        channel,
        index,
        sampledAtMs,
        receivedAtMs,
        value: physicalValue(value, scale),
        late,
      });
    }
    const valuesThrough = rows.at(-1)?.[0] ?? valuesAfter;
    if (followed.length > 0) {
      this.rollups.add(followed);
      this.observer?.onValues(followed, nowMs);
      this.statements.setCursor.run("values", valuesThrough);
      for (const stream of this.streams.values()) {
        if (!stream.dirty) continue;
        this.statements.saveStream.run(
          stream.deviceId,
          stream.channel,
          stream.index,
          stream.watermark.watermarkMs,
          stream.lastReceivedMs,
        );
        stream.dirty = false;
      }
    }

    const decisionsAfter = this.cursor("decisions");
    const decisionRows = this.statements.decisions.all(decisionsAfter, valuesThrough, this.maxPerTick) as [
      number,
      number | null,
      string,
      number,
      number,
      number,
    ][];
    const decided: DecidedReading[] = [];
    for (const [gatewaySeq, anomalous, deviceId, channel, index, sampledAtMs] of decisionRows) {
      // Decisions are taken in order: an undecided reading holds back the ones after it.
      if (anomalous === null) break;
      decided.push({ gatewaySeq, deviceId, channel, index, sampledAtMs, anomalous: anomalous === 1 });
    }
    if (decided.length > 0) {
      this.rollups.addAnomalies(decided.filter((reading) => reading.anomalous));
      this.observer?.onDecisions(decided, nowMs);
      this.statements.setCursor.run("decisions", (decided.at(-1) as DecidedReading).gatewaySeq);
    }
    this.observer?.onTick(this.lastReceivedByDevice, nowMs);
    return followed.length;
  }
}
