// Alert latency at the reference load: from the reading that makes a rule fire (or resolve)
// durable in the gateway's database to its alert stored as an anchored alert reading and
// received by a client of GET /api/live. Scale with EDGE_ALERT_BENCH_DEVICES (67: 67 devices
// × 3 channels at 1 Hz ≈ 200 readings/s) and EDGE_ALERT_BENCH_SECONDS (30).
import { join } from "node:path";
import Database from "better-sqlite3";
import type { ReceivedEvent } from "../test/live-client.js";
import { percentile } from "./percentile.js";
import { startReferenceLoad } from "./reference-load.js";

const DEVICES = Number(process.env.EDGE_ALERT_BENCH_DEVICES ?? 67);
const SECONDS = Number(process.env.EDGE_ALERT_BENCH_SECONDS ?? 30);
const TARGET_P99_MS = 1_000;

// The reference sensors' vibration wanders around 0.2 g: a threshold there fires and resolves
// every few seconds per device, many alerts a second over the fleet, far more than a real one.
const load = await startReferenceLoad(
  {
    // Scored as on site: inference competes with the rules for the same CPU.
    inference: { enabled: true },
    analytics: {
      rules: [
        { name: "shaking", kind: "threshold", channel: "vibration", above: 0.24, hysteresis: 0.03 },
        { name: "silent", kind: "no-data", seconds: 5 },
      ],
    },
  },
  DEVICES,
);
try {
  const received: ReceivedEvent[] = [];
  const { startedAt, seconds } = await load.measureLive("types=alert", SECONDS, (event) => {
    if (event.data.source === "rules") received.push(event);
  });

  // The reading behind each alert, and when it was durable (its receipt, a group commit before).
  const db = new Database(join(load.dataDir, "gateway.sqlite"), { readonly: true });
  const causeOf = db.prepare(
    `SELECT r.received_at_ms AS durableMs FROM rule_alerts a JOIN readings r ON r.gateway_seq = a.subject_gateway_seq
     WHERE a.alert_gateway_seq = ?`,
  );
  const latencies = received
    .map((event) => causeOf.get(event.data.gatewaySeq) as { durableMs: number } | undefined)
    .flatMap((cause, i) => (cause ? [(received[i] as ReceivedEvent).receivedAtMs - cause.durableMs] : []));
  const readings =
    (db.prepare("SELECT count(*) FROM readings WHERE received_at_ms >= ?").pluck().get(startedAt) as number) / seconds;
  db.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  console.log(
    JSON.stringify(
      {
        devices: DEVICES,
        readingsPerSecond: Math.round(readings),
        alertsOnLiveStream: received.length,
        alertsMeasured: latencies.length,
        latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99, max: sorted.at(-1) },
        targetP99Ms: TARGET_P99_MS,
        p99OverTarget: Number((p99 / TARGET_P99_MS).toFixed(4)),
      },
      null,
      2,
    ),
  );
} finally {
  await load.stop();
}
