// Ingest bench: verified readings per second from MQTT frames to durable rows, against
// two bounds measured in the same run (the raw better-sqlite3 batched insert of the same
// rows, and node:crypto's P-256 verification rate), and the latency from frame received to
// durable, with the publisher's view of it beside.
// Usage: npm run bench:ingest -w gateway   (BENCH_FRAMES scales the run, default 20000)
import { verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { Channel, SignedFrame, type Sample } from "@intelledger/proto/device";
import { pino } from "pino";
import { p256KeyFromPoint } from "@intelledger/proto/p256";
import { EmbeddedMqttTransport } from "../src/ingest/embedded-mqtt-transport.js";
import { mqttPacketLimit } from "../src/ingest/mqtt-packet-guard.js";
import { frameTopic } from "@intelledger/proto/mqtt";
import { signFrame } from "@intelledger/test-support";
import { openGatewayDatabase } from "../src/store/gateway-database.js";
import { ingestPipelineOver, keyedDevices } from "../test/ingest-pipeline-fixture.js";
import { percentile } from "./percentile.js";

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20_000);
const DEVICES = 50;
const logger = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "ingest-bench-"));
const devices = keyedDevices("bench", DEVICES);
const NOW = Date.now();

function samples(count: number, timeMs: number): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    channel: count === 1 ? Channel.CHANNEL_TEMPERATURE : Channel.CHANNEL_ANALOG,
    index: i,
    timestampMs: timeMs,
    value: 2_000 + i,
    scale: count === 1 ? 2 : 0,
  }));
}

function makeFrames(samplesPerFrame: number, count: number) {
  const counters = new Array<number>(DEVICES).fill(0);
  return Array.from({ length: count }, (_, i) => {
    const device = devices[i % DEVICES] as (typeof devices)[number];
    counters[i % DEVICES] = (counters[i % DEVICES] ?? 0) + 1;
    const timeMs = NOW + i;
    const bytes = signFrame(
      {
        deviceId: device.deviceId,
        counter: counters[i % DEVICES] ?? 1,
        deviceTimeMs: timeMs,
        uptimeMs: i,
        samples: samples(samplesPerFrame, timeMs),
      },
      device.privateKey,
    );
    return { deviceId: device.deviceId, topic: frameTopic(device.deviceId), bytes };
  });
}

/** The raw ceiling: the same rows inserted by better-sqlite3 in 1,000-row transactions. */
function sqliteCeiling(rows: number): number {
  const db = openGatewayDatabase(join(dir, "ceiling.sqlite"));
  const insert = db.prepare(
    `INSERT INTO reading_rows (source, frame_counter, channel, channel_index, sample_lag_ms, received_at_ms, value, scale,
       data_class, time_uncertain, received_boot, received_uptime_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const chunk = db.transaction((from: number) => {
    for (let i = from; i < from + 1_000; i++) insert.run(i % DEVICES, i, 4, i % 16, 0, NOW + i, 2_000, 0, 1, 0, 1, i);
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += 1_000) chunk(i);
  const rate = rows / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

/**
 * The verification bound: node:crypto P-256 verifications per second on one core, and per CPU
 * second of this thread (which other work on the machine does not shrink).
 */
function verificationRate(frames: { bytes: Uint8Array }[]): { perSecond: number; perCpuSecond: number } {
  const keys = new Map(devices.map((device) => [device.deviceId, p256KeyFromPoint(device.publicKeyPoint)]));
  const decoded = frames.map((frame, i) => ({ signed: SignedFrame.decode(frame.bytes), key: keys.get(`bench-${i % DEVICES}`) }));
  const started = performance.now();
  const cpuStarted = process.threadCpuUsage();
  for (const { signed, key } of decoded) {
    if (!key || !verify("sha256", signed.frame, { key, dsaEncoding: "ieee-p1363" }, signed.signature))
      throw new Error("bad bench frame");
  }
  return {
    perSecond: decoded.length / ((performance.now() - started) / 1000),
    perCpuSecond: decoded.length / cpuSeconds(process.threadCpuUsage(cpuStarted)),
  };
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

async function startIngest(name: string) {
  const db = openGatewayDatabase(join(dir, `${name}.sqlite`));
  const { pipeline, registry, readings, refusals } = ingestPipelineOver(db, { devices, logger });
  // The publishers connect without a login: this measures ingest, not logins.
  const mqtt = new EmbeddedMqttTransport({
    host: "127.0.0.1",
    port: 0,
    fallbackToFreePort: true,
    allowAnonymous: true,
    maxPacketBytes: mqttPacketLimit(1_024),
    logins: registry,
    refusals,
    logger,
  });
  // From the moment the broker hands a frame to ingest to the moment it is durable: what the gateway adds.
  const receivedToDurableMs: number[] = [];
  await mqtt.start((incoming) => {
    const received = performance.now();
    const outcome = pipeline.handle(incoming);
    void outcome.then(() => receivedToDurableMs.push(performance.now() - received));
    return outcome;
  });
  return {
    url: `mqtt://127.0.0.1:${mqtt.port}`,
    pipeline,
    readings,
    receivedToDurableMs,
    async stop() {
      await mqtt.stop();
      db.close();
    },
  };
}

/** A publisher thread, connected and waiting: `run` publishes the frames and resolves with what it measured. */
async function publisher(url: string, frames: ReturnType<typeof makeFrames>, ratePerSecond: number) {
  const worker = new Worker(new URL("./ingest-publisher.ts", import.meta.url), {
    // A connection per device, as devices connect; about 256 frames in flight in all when publishing flat out.
    workerData: { url, frames, clients: DEVICES, inFlightPerClient: ratePerSecond > 0 ? 64 : 5, ratePerSecond },
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  await next();
  return {
    run: () => {
      const result = next() as Promise<{ elapsedMs: number; latenciesMs: number[]; cpu: NodeJS.CpuUsage }>;
      worker.postMessage("go");
      return result;
    },
  };
}

/** Fails the bench unless every frame was stored: a frame refused (a replay, say) is answered at once and would flatter it. */
function allStored(ingest: Awaited<ReturnType<typeof startIngest>>, frames: number, samplesPerFrame: number): void {
  const { counters } = ingest.pipeline;
  const refused = Object.entries(counters.rejected).filter(([, count]) => count > 0);
  const stored = ingest.readings.count();
  if (
    counters.framesAccepted !== frames ||
    stored !== frames * samplesPerFrame ||
    refused.length > 0 ||
    counters.refusedStorageFull > 0
  ) {
    throw new Error(
      `${counters.framesAccepted} of ${frames} frames stored (${stored} readings); refused: ${JSON.stringify(Object.fromEntries(refused))}, ` +
        `${counters.refusedStorageFull} for want of space`,
    );
  }
}

async function throughput(samplesPerFrame: number) {
  const frames = makeFrames(samplesPerFrame, FRAMES);
  const ingest = await startIngest(`throughput-${samplesPerFrame}`);
  const publishing = await publisher(ingest.url, frames, 0);
  // The publishers run in a worker thread of their own: the rest of the process's CPU time is the
  // gateway's (its event loop and the thread pool verifying signatures).
  const cpuStarted = process.cpuUsage();
  const { elapsedMs, cpu: publisherCpu } = await publishing.run();
  const ingestCpuSeconds = cpuSeconds(process.cpuUsage(cpuStarted)) - cpuSeconds(publisherCpu);
  allStored(ingest, FRAMES, samplesPerFrame);
  await ingest.stop();
  return {
    framesPerSecond: FRAMES / (elapsedMs / 1000),
    framesPerCpuSecond: FRAMES / ingestCpuSeconds,
    readingsPerSecond: (FRAMES * samplesPerFrame) / (elapsedMs / 1000),
    frames,
  };
}

const ceiling = sqliteCeiling(Math.max(100_000, FRAMES * 16));
const oneSample = await throughput(1);
const verification = verificationRate(oneSample.frames);
const verifyBound = verification.perSecond;
const sixteen = await throughput(16);
const halfLoad = Math.round(oneSample.framesPerSecond / 2);
const latencyIngest = await startIngest("latency");
const latencyFrames = makeFrames(1, Math.min(FRAMES, halfLoad * 10));
const latency = await (await publisher(latencyIngest.url, latencyFrames, halfLoad)).run();
allStored(latencyIngest, latencyFrames.length, 1);
const receivedToDurable = [...latencyIngest.receivedToDurableMs].sort((a, b) => a - b);
await latencyIngest.stop();
rmSync(dir, { recursive: true, force: true });

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `ingest bench: MQTT frames (QoS 1) -> signature and counter checks -> durable SQLite rows; ${FRAMES} frames per run, ${DEVICES} devices`,
);
console.log(`  bound  raw better-sqlite3 insert, 1,000-row transactions   ${fmt(ceiling)} rows/s`);
const latencies = [...latency.latenciesMs].sort((a, b) => a - b);
console.log(`  bound  node:crypto P-256 verification, one core            ${fmt(verifyBound)} verifications/s`);
console.log(
  `  1-sample frames    ${fmt(oneSample.framesPerSecond)} frames/s = ${fmt(oneSample.readingsPerSecond)} readings/s  -> ${(oneSample.framesPerSecond / verifyBound).toFixed(2)} x verification bound (target 0.80)`,
);
console.log(
  `                     per CPU second of the gateway, all its threads, ${fmt(oneSample.framesPerCpuSecond)} frames against ${fmt(verification.perCpuSecond)} verifications -> ` +
    `${(oneSample.framesPerCpuSecond / verification.perCpuSecond).toFixed(2)} x (other work on the machine does not count)`,
);
console.log(
  `  16-sample frames   ${fmt(sixteen.framesPerSecond)} frames/s = ${fmt(sixteen.readingsPerSecond)} readings/s -> ${(sixteen.readingsPerSecond / ceiling).toFixed(2)} x SQLite ceiling (target 0.20)`,
);
console.log(
  `  latency at half load (${fmt(halfLoad)} frames/s): frame received to durable p50 ${percentile(receivedToDurable, 50).toFixed(1)} ms, p99 ${percentile(receivedToDurable, 99).toFixed(1)} ms (target p99 < 25 ms)`,
);
console.log(
  `                     the publisher's view, publish to PUBACK p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms (adds its own thread, the socket and the broker)`,
);
