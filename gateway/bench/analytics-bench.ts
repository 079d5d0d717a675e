// Analytics bench, two measures printed against bounds of the same run:
// 1. rollup maintenance cost: CPU time the analytics follower spends keeping rollups while
//    16-sample frames are ingested (signature checks, decoding, group-committed SQLite rows), as
//    it runs in a gateway, against the CPU time of the same ingest without it (target: under
//    10%); the difference of the two ingests' CPU times is printed too, as a cross-check;
// 2. series query time: GET /api/series over a year of hourly data of one stream, on a gateway
//    whose database holds a year of hourly rollups of EDGE_SERIES_BENCH_STREAMS streams (20)
//    (target: under 100 ms).
// Scale the ingest with EDGE_ANALYTICS_BENCH_FRAMES (20,000 frames of 16 samples).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Channel, type Sample } from "@intelledger/proto/device";
import { signFrame } from "@intelledger/test-support";
import { pino } from "pino";
import { AnalyticsFollower, rolledUpThrough } from "../src/analytics/analytics-follower.js";
import { RollupStore } from "../src/analytics/rollup-store.js";
import { SeriesQuery } from "../src/analytics/series-query.js";
import { startGateway } from "../src/gateway.js";
import { openGatewayDatabase } from "../src/store/gateway-database.js";
import { ReadingStore } from "../src/store/reading-store.js";
import { GatewayClient } from "../test/gateway-client.js";
import { ingestPipelineOver, keyedDevices } from "../test/ingest-pipeline-fixture.js";
import { quietGatewayConfig } from "../test/test-gateway.js";
import { percentile } from "./percentile.js";

const FRAMES = Number(process.env.EDGE_ANALYTICS_BENCH_FRAMES ?? 20_000);
const STREAMS = Number(process.env.EDGE_SERIES_BENCH_STREAMS ?? 20);
const DEVICES = 50;
const HOUR_MS = 3_600_000;
const logger = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "analytics-bench-"));
const devices = keyedDevices("bench", DEVICES);
const NOW = Date.now();

/** Frames of 16 analog samples each, 50 devices, each device sampling once a second. */
function makeFrames(): Uint8Array[] {
  const counters = new Array<number>(DEVICES).fill(0);
  return Array.from({ length: FRAMES }, (_, i) => {
    const d = i % DEVICES;
    counters[d] = (counters[d] ?? 0) + 1;
    const timeMs = NOW + Math.floor(i / DEVICES) * 1_000;
    const samples: Sample[] = Array.from({ length: 16 }, (_, index) => ({
      channel: Channel.CHANNEL_ANALOG,
      index,
      timestampMs: timeMs,
      value: 2_000 + ((i * 7 + index) % 300),
      scale: 1,
    }));
    const device = devices[d] as (typeof devices)[number];
    return signFrame(
      { deviceId: device.deviceId, counter: counters[d] ?? 1, deviceTimeMs: timeMs, uptimeMs: i, samples },
      device.privateKey,
    );
  });
}

/** Ingests every frame through the acceptance pipeline, 256 in flight; returns CPU and wall time. */
async function ingest(name: string, frames: readonly Uint8Array[], withRollups: boolean) {
  const db = openGatewayDatabase(join(dir, `${name}.sqlite`));
  const { pipeline, readings } = ingestPipelineOver(db, { devices, logger });
  const follower = withRollups ? new AnalyticsFollower({ db, allowedLatenessMs: 300_000, logger }) : undefined;
  follower?.follow(readings);
  follower?.start(100);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < frames.length) {
      const bytes = frames[next++] as Uint8Array;
      const outcome = await pipeline.handle({ transport: "mqtt", bytes });
      if (!outcome.accepted) throw new Error(`a bench frame was refused: ${outcome.reason}`);
    }
  };
  await Promise.all(Array.from({ length: 256 }, worker));
  const ingested = process.cpuUsage(cpuBefore);
  // Inference decides readings in a gateway (its cost is not the rollups'): here all at once, unmeasured.
  db.prepare("UPDATE readings SET anomalous = 0").run();
  const catchUpBefore = process.cpuUsage();
  // The rollups must have caught up, values and decisions, for their cost to be counted in full.
  const last = readings.lastSeq();
  while (follower && (follower.valuesCursor() < last || follower.decidedCursor() < last)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const caughtUp = process.cpuUsage(catchUpBefore);
  const wallMs = performance.now() - started;
  const cpuMs = (ingested.user + ingested.system + caughtUp.user + caughtUp.system) / 1_000;
  follower?.stop();
  const stored = readings.count();
  const buckets = db.prepare("SELECT count(*) FROM rollups").pluck().get() as number;
  db.close();
  if (stored !== frames.length * 16) throw new Error(`stored ${stored} of ${frames.length * 16} readings`);
  return { cpuMs, wallMs, buckets, followerCpuMs: follower?.cpuMs ?? 0 };
}

/** A year of hourly readings of STREAMS streams, rolled up, in a gateway's data folder. */
function seedYear(dataDir: string): number {
  const db = openGatewayDatabase(join(dataDir, "gateway.sqlite"));
  const readings = new ReadingStore(db);
  const hours = 365 * 24;
  const start = Math.floor(NOW / HOUR_MS) * HOUR_MS - hours * HOUR_MS;
  const follower = new AnalyticsFollower({ db, allowedLatenessMs: 0, logger, maxPerTick: 50_000 });
  for (let h = 0; h < hours; h += 100) {
    const frames = [];
    for (let hour = h; hour < Math.min(hours, h + 100); hour++) {
      frames.push({
        deviceId: "year",
        counter: hour + 1,
        clock: { nowMs: start + hour * HOUR_MS, uncertain: false, boot: 1, uptimeMs: 1 },
        transport: "mqtt",
        status: undefined,
        samples: Array.from({ length: STREAMS }, (_, index) => ({
          channel: Channel.CHANNEL_ANALOG,
          index,
          timestampMs: start + hour * HOUR_MS + 1_000,
          value: Math.round(1_000 * Math.sin(hour / 24) + index),
          scale: 2,
          dataClass: 0,
        })),
      });
    }
    const first = readings.lastSeq();
    readings.commitFrames(frames);
    db.prepare("UPDATE readings SET anomalous = 0 WHERE gateway_seq > ?").run(first);
    while (follower.tick() > 0);
  }
  follower.stop();
  const buckets = db.prepare("SELECT count(*) FROM rollups WHERE resolution_ms = ?").pluck().get(HOUR_MS) as number;
  db.close();
  return buckets;
}

async function seriesQueryTimes(): Promise<{ buckets: number; points: number; sorted: number[]; serverCpu: number[] }> {
  const dataDir = join(dir, "gateway");
  const buckets = seedYear(dataDir);
  const gateway = await startGateway(quietGatewayConfig(dataDir), logger);
  try {
    const client = new GatewayClient(gateway.httpPort);
    const token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "bench"), "series bench");
    const times: number[] = [];
    let points = 0;
    for (let i = 0; i < 200; i++) {
      const index = i % STREAMS;
      const path = `/api/series?stream=year/analog/${index}&from=${NOW - 366 * 24 * HOUR_MS}&to=${NOW}&resolution=auto`;
      let started = performance.now();
      // A kept-alive connection the server closed just then is reset: that request is asked again, and timed again.
      const response = await client.request(path, { token }).catch(() => {
        started = performance.now();
        return client.request(path, { token });
      });
      const body = (await response.json()) as { resolution: string; buckets: unknown[] };
      times.push(performance.now() - started);
      if (response.status !== 200 || body.resolution !== "1h") throw new Error(`series answered ${response.status}`);
      points = body.buckets.length;
    }
    if (points < 365 * 24) throw new Error(`a year of hourly data came back as ${points} points`);
    return { buckets, points, sorted: times.sort((a, b) => a - b), serverCpu: serverCpuTimes(dataDir) };
  } finally {
    await gateway.stop();
  }
}

/** CPU time of what the gateway does for one such request: the query and its JSON, on this thread. */
function serverCpuTimes(dataDir: string): number[] {
  const db = openGatewayDatabase(join(dataDir, "gateway.sqlite"));
  const series = new SeriesQuery({ db, rollups: new RollupStore(db), valuesCursor: () => rolledUpThrough(db) });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const before = process.threadCpuUsage();
    const answer = series.query(
      { deviceId: "year", channel: Channel.CHANNEL_ANALOG, index: i % STREAMS },
      NOW - 366 * 24 * HOUR_MS,
      NOW,
      "auto",
      10_000,
    );
    if (JSON.stringify(answer).length < 1_000) throw new Error("the series came back empty");
    const cpu = process.threadCpuUsage(before);
    times.push((cpu.user + cpu.system) / 1_000);
  }
  db.close();
  return times.sort((a, b) => a - b);
}

try {
  console.error("analytics bench: ingesting with and without rollups…");
  const frames = makeFrames();
  // Alternating runs, so both see the same machine; the first pair warms up and is not counted.
  await ingest("warm-up-off", frames.slice(0, 2_000), false);
  await ingest("warm-up-on", frames.slice(0, 2_000), true);
  const without = await ingest("without", frames, false);
  const withRollups = await ingest("with", frames, true);
  const withoutAgain = await ingest("without-again", frames, false);
  const baselineCpuMs = (without.cpuMs + withoutAgain.cpuMs) / 2;
  console.error("analytics bench: a year of hourly data, then series queries…");
  const series = await seriesQueryTimes();
  const p99 = percentile(series.sorted, 99);
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(`analytics bench: ${fmt(FRAMES)} frames of 16 samples (${fmt(FRAMES * 16)} readings), ${DEVICES} devices`);
  console.log(
    `  ingest without rollups        CPU ${fmt(without.cpuMs)} ms and ${fmt(withoutAgain.cpuMs)} ms (wall ${fmt(without.wallMs)} ms, ${fmt((FRAMES * 16) / (without.wallMs / 1_000))} readings/s)`,
  );
  console.log(
    `  ingest keeping rollups        CPU ${fmt(withRollups.cpuMs)} ms (wall ${fmt(withRollups.wallMs)} ms, ${fmt(withRollups.buckets)} buckets); difference ${((withRollups.cpuMs / baselineCpuMs - 1) * 100).toFixed(1)}% (noisy on a shared machine)`,
  );
  console.log(
    `  rollup maintenance            ${fmt(withRollups.followerCpuMs)} ms CPU in the follower = ${((withRollups.followerCpuMs / baselineCpuMs) * 100).toFixed(1)}% of ingest CPU (target under 10%)`,
  );
  const serverP99 = percentile(series.serverCpu, 99);
  console.log(
    `  series, a year of hourly data ${series.points} points of one of ${fmt(series.buckets)} stored hourly buckets (${STREAMS} streams)`,
  );
  console.log(
    `    GET /api/series round trip  p50 ${percentile(series.sorted, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (wall, client in the same process)`,
  );
  console.log(
    `    gateway CPU per request     p50 ${percentile(series.serverCpu, 50).toFixed(1)} ms, p99 ${serverP99.toFixed(1)} ms (query and JSON) -> p99 ${(serverP99 / 100).toFixed(2)} x target (100 ms)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
