// Live stream latency at the reference load: from a reading durable in the gateway's database
// to its event at a client of GET /api/live. Scale with EDGE_LIVE_BENCH_DEVICES (67: 67 devices × 3
// channels at 1 Hz ≈ 200 readings/s) and EDGE_LIVE_BENCH_SECONDS (30).
import { percentile } from "./percentile.js";
import { startReferenceLoad } from "./reference-load.js";

const DEVICES = Number(process.env.EDGE_LIVE_BENCH_DEVICES ?? 67);
const SECONDS = Number(process.env.EDGE_LIVE_BENCH_SECONDS ?? 30);

// Scored as on site: inference competes with the live stream for the same CPU.
const load = await startReferenceLoad({ inference: { enabled: true } }, DEVICES);
try {
  const latencies: number[] = [];
  const { seconds } = await load.measureLive("types=reading,batch&maxReadingsPerSecond=5000", SECONDS, (event) => {
    if (event.event === "reading") latencies.push(event.receivedAtMs - (event.data.durableAtMs as number));
  });
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
        batchEvents: load.live.of("batch").length,
      },
      null,
      2,
    ),
  );
} finally {
  await load.stop();
}
