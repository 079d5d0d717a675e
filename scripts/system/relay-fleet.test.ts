// The relay fleet load run, scaled down: a few gateways at the reference rate against three
// replicas on PostgreSQL, the anchoring leader SIGKILLed twice and restarted; every batch
// acknowledged is stored once and anchored once, each takeover takes seconds, and no
// replica grows past the memory the relay is held to. Knobs: EDGE_RELAY_FLEET_GATEWAYS (3),
// _REPLICAS (3), _SECONDS (45), _KILLS (2), _READINGS_PER_BATCH (100); the full run is
// `npm run bench:relay-fleet`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelayFixture, type RelayFixture } from "../../cloud-relay/test/relay-fixture.js";
import { describeFleet, fleetKnobs, runFleet } from "./relay-fleet-run.js";

const knobs = fleetKnobs({ gateways: 3, replicas: 3, seconds: 45, kills: 2, readingsPerBatch: 100 });
/** Generous: the suite shares the machine's two cores with other tests. */
const TAKEOVER_LIMIT_MS = 15_000;
const RSS_LIMIT_MIB = 256;

let fixture: RelayFixture;

beforeAll(async () => {
  fixture = await createRelayFixture();
});

afterAll(async () => {
  await fixture?.close();
});

describe("relay replicas under a fleet while the anchoring leader is killed", () => {
  it("stores and anchors every acknowledged batch once, takes over within seconds, and stays within its memory", async () => {
    const result = await runFleet(fixture, knobs, (line) => console.log(line));
    for (const line of describeFleet(result)) console.log(line);
    expect(result.problems).toEqual([]);
    // A batch whose ack died with its replica is skipped by the gateway, which resumes where the relay's record stands.
    const batches = knobs.gateways * Math.ceil((knobs.seconds * knobs.readingsPerSecond) / knobs.readingsPerBatch);
    expect(result.ackedBatches).toBeGreaterThanOrEqual(batches - knobs.kills * knobs.gateways);
    expect(result.takeoversMs).toHaveLength(knobs.kills);
    for (const takeover of result.takeoversMs) expect(takeover).toBeLessThan(TAKEOVER_LIMIT_MS);
    // Every replica took uploads: gateways start spread over them, once all are ready.
    for (const replica of result.replicas) expect(replica.readingsPerSecond).toBeGreaterThan(0);
    for (const replica of result.replicas) expect(replica.peakRssMiB).toBeLessThan(RSS_LIMIT_MIB);
  }, 900_000);
});
