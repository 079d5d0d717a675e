import { join } from "node:path";
import { Channel } from "@intelledger/proto/device";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../store/reading-store.js";
import { AnalyticsFollower } from "./analytics-follower.js";
import { ROLLUP_RESOLUTIONS } from "./rollup-store.js";
import { scratchFolder } from "../../test/scratch-folder.js";

const T0 = 1_800_000_000_000;
const LATENESS_MS = 90_000;
const logger = pino({ level: "silent" });

/** A small deterministic generator, so a failing order can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Sample {
  deviceId: string;
  channel: Channel;
  index: number;
  timestampMs: number;
  value: number;
  scale: number;
}

/**
 * Three hours of three streams at one sample every 7 s, some with equal sample times, in
 * an arrival order that is shuffled locally (within a few minutes) and holds back a share
 * of the samples for an hour, as a device buffering through an outage would.
 */
function arrivals(seed: number): Sample[] {
  const next = random(seed);
  const samples: { sample: Sample; arrivesAtMs: number }[] = [];
  const streams = [
    { deviceId: "press-01", channel: Channel.CHANNEL_TEMPERATURE, index: 0, scale: 2 },
    { deviceId: "press-01", channel: Channel.CHANNEL_VIBRATION, index: 1, scale: 3 },
    { deviceId: "press-02", channel: Channel.CHANNEL_TEMPERATURE, index: 0, scale: 1 },
  ];
  for (const stream of streams) {
    for (let t = 0; t < 3 * 3_600_000; t += 7_000) {
      const timestampMs = T0 + t - (t % 21_000 === 0 ? 0 : Math.floor(next() * 3) * 1_000);
      const held = next() < 0.05 ? 3_600_000 : 0;
      samples.push({
        sample: { ...stream, timestampMs, value: Math.round((next() - 0.5) * 20_000) },
        arrivesAtMs: timestampMs + next() * 240_000 + held,
      });
    }
  }
  return samples.sort((a, b) => a.arrivesAtMs - b.arrivesAtMs).map(({ sample }) => sample);
}

function frameOf(sample: Sample, counter: number): FrameToStore {
  return {
    deviceId: sample.deviceId,
    counter,
    clock: { nowMs: sample.timestampMs + 1_000, uncertain: false, boot: 1, uptimeMs: 1 },
    transport: "mqtt",
    status: undefined,
    samples: [
      {
        channel: sample.channel,
        index: sample.index,
        timestampMs: sample.timestampMs,
        value: sample.value,
        scale: sample.scale,
        dataClass: 0,
      },
    ],
  };
}

interface Row {
  device_id: string;
  channel: number;
  channel_index: number;
  resolution_ms: number;
  bucket_ms: number;
  count: number;
  min_value: number;
  max_value: number;
  sum_value: number;
  last_value: number;
  anomaly_count: number;
  late_count: number;
}

/** The rollups computed from scratch from the raw readings, in arrival (gateway_seq) order. */
function recompute(db: SqliteDatabase): Row[] {
  const readings = db.prepare("SELECT * FROM readings ORDER BY gateway_seq").all() as {
    gateway_seq: number;
    device_id: string;
    channel: number;
    channel_index: number;
    sampled_at_ms: number;
    value: number;
    scale: number;
    anomalous: number;
  }[];
  const newest = new Map<string, number>();
  const rows = new Map<string, Row & { lastAt: number; lastSeq: number }>();
  for (const r of readings) {
    const stream = `${r.device_id}/${r.channel}/${r.channel_index}`;
    const watermark = newest.get(stream) ?? -Infinity;
    const late = r.sampled_at_ms < watermark - LATENESS_MS;
    newest.set(stream, Math.max(watermark, r.sampled_at_ms));
    const value = r.value / 10 ** r.scale;
    for (const resolution of Object.values(ROLLUP_RESOLUTIONS)) {
      const bucket = r.sampled_at_ms - (r.sampled_at_ms % resolution);
      const key = `${stream}@${resolution}@${bucket}`;
      const row = rows.get(key) ?? {
        device_id: r.device_id,
        channel: r.channel,
        channel_index: r.channel_index,
        resolution_ms: resolution,
        bucket_ms: bucket,
        count: 0,
        min_value: Infinity,
        max_value: -Infinity,
        sum_value: 0,
        last_value: NaN,
        anomaly_count: 0,
        late_count: 0,
        lastAt: -Infinity,
        lastSeq: -Infinity,
      };
      row.count++;
      row.min_value = Math.min(row.min_value, value);
      row.max_value = Math.max(row.max_value, value);
      row.sum_value += value;
      if (r.sampled_at_ms > row.lastAt || (r.sampled_at_ms === row.lastAt && r.gateway_seq > row.lastSeq)) {
        row.last_value = value;
        row.lastAt = r.sampled_at_ms;
        row.lastSeq = r.gateway_seq;
      }
      row.anomaly_count += r.anomalous;
      if (late) row.late_count++;
      rows.set(key, row);
    }
  }
  return [...rows.values()].map(({ lastAt: _at, lastSeq: _seq, ...row }) => row).sort(byKey);
}

function byKey(a: Row, b: Row): number {
  return (
    a.device_id.localeCompare(b.device_id) ||
    a.channel - b.channel ||
    a.channel_index - b.channel_index ||
    a.resolution_ms - b.resolution_ms ||
    a.bucket_ms - b.bucket_ms
  );
}

function stored(db: SqliteDatabase): Row[] {
  const rows = db
    .prepare(
      `SELECT device_id, channel, channel_index, resolution_ms, bucket_ms, count, min_value, max_value, sum_value, last_value,
         anomaly_count, late_count FROM rollups`,
    )
    .all() as Row[];
  return rows.sort(byKey);
}

const dir = scratchFolder("rollups-", "each test");

describe("rollups", () => {
  it.each([1, 2, 3])(
    "equal a recomputation from the raw readings after a random arrival order (seed %i), late readings and a restart",
    (seed) => {
      const path = join(dir(), `gateway-${seed}.sqlite`);
      const samples = arrivals(seed);
      const decideNext = random(seed + 100);
      let db = openGatewayDatabase(path);
      // Flushing after every tick, or folding in memory for a second (most of it lost in the crash below).
      const flushIntervalMs = seed === 1 ? 0 : 1_000;
      const startFollower = () =>
        new AnalyticsFollower({ db, allowedLatenessMs: LATENESS_MS, logger, maxPerTick: 500, flushIntervalMs });
      let follower = startFollower();
      let counter = 0;
      const decide = (database: SqliteDatabase, throughSeq: number) =>
        database.transaction(() => {
          const undecided = database
            .prepare("SELECT gateway_seq FROM readings WHERE anomalous IS NULL AND gateway_seq <= ?")
            .pluck()
            .all(throughSeq) as number[];
          const set = database.prepare("UPDATE readings SET anomalous = ? WHERE gateway_seq = ?");
          for (const seq of undecided) set.run(decideNext() < 0.1 ? 1 : 0, seq);
        })();
      const store = (from: number, to: number) => {
        // Most commits are handed over as they are durable; the rest are read back from the table.
        const followed = new ReadingStore(db);
        const unfollow = follower.follow(followed);
        const unfollowed = new ReadingStore(db);
        for (let i = from; i < to; i += 40) {
          const readings = decideNext() < 0.8 ? followed : unfollowed;
          readings.commitFrames(samples.slice(i, Math.min(i + 40, to)).map((sample) => frameOf(sample, ++counter)));
          // Inference decides readings after they are stored, some anomalous; the last few wait.
          decide(db, (db.prepare("SELECT max(gateway_seq) FROM readings").pluck().get() as number) - 5);
          if (decideNext() < 0.5) follower.tick();
        }
        unfollow();
      };
      const half = Math.floor(samples.length / 2);
      store(0, half);
      // A crash: the database closed in the middle of the stream without a flush, everything reopened.
      db.close();
      db = openGatewayDatabase(path);
      follower = startFollower();
      store(half, samples.length);
      db.prepare("UPDATE readings SET anomalous = 0 WHERE anomalous IS NULL").run();
      while (follower.tick() > 0);
      follower.stop();

      const expected = recompute(db);
      const actual = stored(db);
      expect(actual.length).toBe(expected.length);
      const late = expected.reduce((sum, row) => sum + (row.resolution_ms === 60_000 ? row.late_count : 0), 0);
      expect(late).toBeGreaterThan(20);
      expect(expected.reduce((sum, row) => sum + row.anomaly_count, 0)).toBeGreaterThan(100);
      for (const [i, row] of actual.entries()) {
        const { sum_value: sum, ...exact } = row;
        const { sum_value: expectedSum, ...expectedExact } = expected[i] as Row;
        expect(exact).toEqual(expectedExact);
        expect(sum).toBeCloseTo(expectedSum, 6);
      }
      db.close();
    },
  );

  it("count a reading once however often the follower is stopped and started", () => {
    const path = join(dir(), "gateway.sqlite");
    const samples = arrivals(9).slice(0, 300);
    for (let round = 0; round < 3; round++) {
      const db = openGatewayDatabase(path);
      const readings = new ReadingStore(db);
      readings.commitFrames(
        samples.slice(round * 100, round * 100 + 100).map((sample, i) => frameOf(sample, round * 100 + i + 1)),
      );
      db.prepare("UPDATE readings SET anomalous = 0").run();
      const follower = new AnalyticsFollower({ db, allowedLatenessMs: LATENESS_MS, logger });
      follower.tick();
      follower.stop();
      db.close();
    }
    const db = openGatewayDatabase(path);
    const counted = db.prepare("SELECT sum(count) FROM rollups WHERE resolution_ms = 60000").pluck().get();
    expect(counted).toBe(300);
    db.close();
  });
});
