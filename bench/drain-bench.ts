// Drain bench: a gateway's offline backlog uploaded to the relay over mutual TLS, each
// batch acknowledged once the relay stored it; against the slower of the gateway's and the
// relay's single-pass costs over the same batches (bench/drain-bounds.ts), the reference
// fleet's collection rate (200 readings/s) and the relay's raw SQLite insert ceiling for the
// same readings, measured in the same run; the CPU each process spent per reading while draining
// (all its threads, so a loaded machine does not inflate it); and bytes on disk per stored reading.
// Usage: npm run bench:drain   (BENCH_READINGS scales the backlog, default 100000; BENCH_RTT_MS puts
// a link with that round trip between the gateway and the relay, as a factory's uplink to a
// distant relay, default none)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { runDrain } from "../scripts/system/drain-run.js";
import { measureDrainBounds, type DrainBounds } from "./drain-bounds.js";

const READINGS = Number(process.env.BENCH_READINGS ?? 100_000);
const ROUND_TRIP_MS = Number(process.env.BENCH_RTT_MS ?? 0);
const REFERENCE_FLEET_READINGS_PER_SECOND = 200;
/** Readings of the backlog the single-pass bounds go through. */
const BOUND_READINGS = 50_000;
const dir = mkdtempSync(join(tmpdir(), "drain-bench-"));

/** One row per reading, inserted by better-sqlite3 in 1,000-row transactions: what the relay could store at most. */
function relayInsertCeiling(rows: number): number {
  const db = new Database(join(dir, "ceiling.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE readings (gateway_id TEXT, gateway_seq INTEGER, device_id TEXT, frame_counter INTEGER, channel INTEGER,
    channel_index INTEGER, sampled_at_ms INTEGER, received_at_ms INTEGER, value INTEGER, scale INTEGER, PRIMARY KEY (gateway_id, gateway_seq))`);
  const insert = db.prepare("INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const chunk = db.transaction((from: number) => {
    for (let i = from; i < from + 1_000; i++)
      insert.run("0xGateway", i, `seed-${i % 50}`, i, 1 + (i % 3), 0, i, i, 2_000 + (i % 500), 2);
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += 1_000) chunk(i);
  const rate = rows / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

try {
  const ceiling = relayInsertCeiling(Math.max(200_000, Math.min(READINGS, 2_000_000)));
  let bounds: DrainBounds | undefined;
  const result = await runDrain(join(dir, "run"), READINGS, 1_024, {
    roundTripMs: ROUND_TRIP_MS,
    beforeDrain: async ({ gatewayDir, gatewayId }) => {
      bounds = await measureDrainBounds(gatewayDir, gatewayId, dir, Math.min(READINGS, BOUND_READINGS));
    },
  });
  if (!bounds) throw new Error("the drain's bounds were not measured");
  const slower = Math.min(bounds.gateway, bounds.relay);
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const link = ROUND_TRIP_MS > 0 ? ` through a link with a ${ROUND_TRIP_MS} ms round trip` : "";
  console.log(`drain bench: ${fmt(result.readings)} readings backlogged, uploaded over mutual TLS${link}, acked once stored`);
  console.log(`  bound  relay raw SQLite insert, one row per reading, 1,000-row transactions  ${fmt(ceiling)} readings/s`);
  console.log(
    `  bound  gateway single pass: read each batch and its readings, encode the upload  ${fmt(bounds.gateway)} readings per CPU second`,
  );
  console.log(
    `  bound  relay single pass: decode, check signature and header, recompute the root, store  ${fmt(bounds.relay)} readings per CPU second`,
  );
  console.log(
    `  drain  ${fmt(result.readingsPerSecondOnceUp)} readings/s once the gateway is up (target 50,000)  -> ${(result.readingsPerSecondOnceUp / slower).toFixed(2)} x the slower single pass (target 0.5), ` +
      `${(result.readingsPerSecondOnceUp / REFERENCE_FLEET_READINGS_PER_SECOND).toFixed(1)} x the reference fleet's 200 readings/s, ` +
      `${(result.readingsPerSecondOnceUp / ceiling).toFixed(3)} x the insert ceiling`,
  );
  console.log(
    `         ${fmt(result.readingsPerSecond)} readings/s counting the gateway's start (${result.startupSeconds.toFixed(1)} s), which a longer backlog amortises`,
  );
  const { gateway: gatewayCpu, relay: relayCpu } = result.cpuSecondsOnceUp;
  const microsPerReading = (seconds: number) => ((seconds * 1e6) / result.readingsOnceUp).toFixed(1);
  console.log(
    `  cpu    gateway ${microsPerReading(gatewayCpu)} µs/reading, relay ${microsPerReading(relayCpu)} µs/reading while draining (all threads): ` +
      `${fmt(result.readingsOnceUp / (gatewayCpu + relayCpu))} readings per CPU second of both, which other work on the machine does not shrink`,
  );
  console.log(
    `  a week of the reference fleet (${fmt(REFERENCE_FLEET_READINGS_PER_SECOND * 604_800)} readings) would drain in ${((REFERENCE_FLEET_READINGS_PER_SECOND * 604_800) / result.readingsPerSecondOnceUp / 60).toFixed(0)} min`,
  );
  console.log(
    `  disk   gateway ${result.bytesPerReading.gateway.toFixed(1)} bytes/reading, relay ${result.bytesPerReading.relay.toFixed(1)} bytes/reading`,
  );
  console.log(
    `  memory peak RSS gateway ${fmt(result.peakRssBytes.gateway / 1_048_576)} MB, relay ${fmt(result.peakRssBytes.relay / 1_048_576)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
