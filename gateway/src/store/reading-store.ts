import type { Reading } from "@intelledger/proto/relay";
import type { AcceptedFrame } from "../devices/frame-acceptor.js";
import type { SqliteDatabase } from "./gateway-database.js";

interface ReadingRow {
  gateway_seq: number;
  device_id: string;
  frame_counter: number;
  channel: number;
  channel_index: number;
  sampled_at_ms: number;
  received_at_ms: number;
  value: number;
  scale: number;
}

function toReading(row: ReadingRow): Reading {
  return {
    gatewaySeq: row.gateway_seq,
    deviceId: row.device_id,
    frameCounter: row.frame_counter,
    channel: row.channel,
    channelIndex: row.channel_index,
    sampledAtMs: row.sampled_at_ms,
    receivedAtMs: row.received_at_ms,
    value: row.value,
    scale: row.scale,
  };
}

/** Durable readings: each sample of an accepted frame becomes one row with its gateway sequence number. */
export class ReadingStore {
  private readonly db: SqliteDatabase;
  private readonly insertReading;
  private readonly advanceCounter;
  private readonly selectRange;
  private readonly selectOldestUnbatched;
  private readonly commitTransaction;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.insertReading = db.prepare(
      `INSERT INTO readings (device_id, frame_counter, channel, channel_index, sampled_at_ms, received_at_ms, value, scale)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.advanceCounter = db.prepare("UPDATE devices SET last_counter = max(last_counter, ?) WHERE device_id = ?");
    this.selectRange = db.prepare("SELECT * FROM readings WHERE gateway_seq >= ? AND gateway_seq <= ? ORDER BY gateway_seq");
    this.selectOldestUnbatched = db.prepare(
      `SELECT gateway_seq, received_at_ms FROM readings
       WHERE gateway_seq > coalesce((SELECT max(last_gateway_seq) FROM batches), 0)
       ORDER BY gateway_seq LIMIT 1`,
    );
    // One transaction for many frames: the fsync is the cost, so it is shared (group commit).
    this.commitTransaction = db.transaction((frames: readonly AcceptedFrame[]) => {
      for (const frame of frames) {
        for (const sample of frame.samples) {
          this.insertReading.run(
            frame.deviceId,
            frame.counter,
            sample.channel,
            sample.index,
            sample.timestampMs,
            frame.receivedAtMs,
            sample.value,
            sample.scale,
          );
        }
        this.advanceCounter.run(frame.counter, frame.deviceId);
      }
    });
  }

  /** Stores the frames and advances their devices' counters, all or nothing. */
  commitFrames(frames: readonly AcceptedFrame[]): void {
    this.commitTransaction(frames);
  }

  between(firstSeq: number, lastSeq: number): Reading[] {
    return (this.selectRange.all(firstSeq, lastSeq) as ReadingRow[]).map(toReading);
  }

  /** The first reading not yet in a batch, if any. */
  oldestUnbatched(): { gatewaySeq: number; receivedAtMs: number } | undefined {
    const row = this.selectOldestUnbatched.get() as Pick<ReadingRow, "gateway_seq" | "received_at_ms"> | undefined;
    return row && { gatewaySeq: row.gateway_seq, receivedAtMs: row.received_at_ms };
  }

  lastSeq(): number {
    return (this.db.prepare("SELECT coalesce(max(gateway_seq), 0) AS seq FROM readings").get() as { seq: number }).seq;
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM readings").get() as { n: number }).n;
  }
}
