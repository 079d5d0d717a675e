// Live stream latency at the reference load: from a reading durable in the gateway's database
// to its event at a client of GET /api/live. Scale with EDGE_LIVE_BENCH_DEVICES (67: 67 devices × 3
// channels at 1 Hz ≈ 200 readings/s) and EDGE_LIVE_BENCH_SECONDS (30).
import { pino } from "pino";
import { LiveClient } from "../test/live-client.js";
import { startTestGateway } from "../test/test-gateway.js";
import { percentile } from "./percentile.js";
import { benchToken, connectReferenceFleet, measuredWindow } from "./reference-fleet.js";

const DEVICES = Number(process.env.EDGE_LIVE_BENCH_DEVICES ?? 67);
const SECONDS = Number(process.env.EDGE_LIVE_BENCH_SECONDS ?? 30);

// Scored as on site: inference competes with the live stream for the same CPU.
const running = await startTestGateway({ inference: { enabled: true } }, pino({ level: "error" }));
const { gateway } = running;
const fleet = await connectReferenceFleet(gateway, DEVICES);
const live = new LiveClient();
try {
  const token = await benchToken(gateway, "live bench");
  const latencies: number[] = [];
  let measuring = false;
  await live.open(
    `http://127.0.0.1:${gateway.httpPort}/api/live?types=reading,batch&maxReadingsPerSecond=5000`,
    token,
    (event) => {
      if (measuring && event.event === "reading") latencies.push(event.receivedAtMs - (event.data.durableAtMs as number));
    },
  );
  fleet.run();
  const { seconds } = await measuredWindow(SECONDS, (on) => (measuring = on));
  const sorted = [...latencies].sort((a, b) => a - b);
  const p95 = percentile(sorted, 95);
  console.log(
    JSON.stringify(
      {
        devices: DEVICES,
        readingsPerSecond: Math.round(latencies.length / seconds),
        events: latencies.length,
        latencyMs: { p50: percentile(sorted, 50), p95, p99: percentile(sorted, 99), max: sorted.at(-1) },
        targetP95Ms: 1_000,
        p95OverTarget: Number((p95 / 1_000).toFixed(4)),
        batchEvents: live.of("batch").length,
      },
      null,
      2,
    ),
  );
} finally {
  await live.close();
  await fleet.stop();
  await running.stop();
}
