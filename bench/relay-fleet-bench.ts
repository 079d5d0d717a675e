// Relay replicas on one PostgreSQL under a fleet of gateways at the reference rate (200
// readings/s each), the anchoring leader SIGKILLed and restarted during the run (see
// scripts/system/relay-fleet-run.ts). Printed: readings/s stored in all and per replica,
// ack latency p50/p99, each leader takeover, each replica's peak resident memory, whether
// the fleet's rate was sustained, and whether every acknowledged batch was stored once and
// anchored once. Knobs (EDGE_RELAY_FLEET_*): GATEWAYS (10; the reference fleet of a
// relay service is 1,000), REPLICAS (3), SECONDS (600), KILLS (2), READINGS_PER_BATCH (100).
// Batches are signed before the clock starts (about 0.1 s each on this machine), which
// bounds the gateways one run can simulate: raise GATEWAYS until the run says NOT sustained.
import { createRelayFixture } from "../cloud-relay/test/relay-fixture.js";
import { describeFleet, fleetKnobs, runFleet } from "../scripts/system/relay-fleet-run.js";

const knobs = fleetKnobs({ gateways: 10, replicas: 3, seconds: 600, kills: 2, readingsPerBatch: 100 });
const fixture = await createRelayFixture();
try {
  const result = await runFleet(fixture, knobs, (line) => console.log(line));
  for (const line of describeFleet(result)) console.log(line);
  if (result.problems.length > 0) process.exitCode = 1;
} finally {
  await fixture.close();
}
