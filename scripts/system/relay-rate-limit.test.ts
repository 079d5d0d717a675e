// A real gateway's uplink against a relay that rate-limits it: the relay answers
// RESOURCE_EXHAUSTED with when to come back, the gateway waits that long, registers again and
// resumes, and its whole backlog ends up stored exactly once, in order, at no more than the
// limit. Then an operator revokes it, and its uplink stops with the relay's reason.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Relay } from "@intelledger/cloud-relay";
import { parseGatewayConfig } from "@intelledger/gateway";
import { beforeAll, describe, expect, it } from "vitest";
import { createRelayFixture, type RelayFixture } from "../../cloud-relay/test/relay-fixture.js";
import { seedBacklog } from "../../gateway/test/backlog-seeder.js";
import { uplinkTo } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

/** Batches waiting on the gateway; the limit lets BURST through at once, then RATE per second. */
const BATCHES = Number(process.env.EDGE_RATE_LIMIT_BATCHES ?? 16);
const BATCH_SIZE = 8;
const RATE = 4;
const BURST = 2;

const rig = useSystemTestRig("edge-rate-limit-");
let fixture: RelayFixture;
let relay: Relay;

beforeAll(async () => {
  fixture = rig.own(await createRelayFixture(), (created) => created.close());
  relay = await rig.startRelay(fixture.config({ fleet: { rateLimit: { batchesPerSecond: RATE, burst: BURST } } }));
}, 180_000);

describe("a gateway over the relay's rate limit", () => {
  it(`drains ${BATCHES} batches at ${RATE} batches/s (burst ${BURST}), backing off when told, losing and repeating nothing; revoked, it stops`, async () => {
    const dataDir = join(rig.dir, "gateway");
    const { gatewayId } = await seedBacklog({ dataDir, readings: BATCHES * BATCH_SIZE, batchSize: BATCH_SIZE, deviceCount: 2 });
    const started = performance.now();
    const running = await rig.startGateway(
      parseGatewayConfig({
        dataDir,
        mqtt: { host: "127.0.0.1", port: 0 },
        proving: { enabled: false },
        relay: uplinkTo(relay.port, await fixture.gatewayTls(gatewayId), { heartbeatIntervalMs: 500 }),
      }),
    );
    await waitFor(() => running.snapshot().backlog.batches === 0, 120_000, "the backlog to drain");
    const seconds = (performance.now() - started) / 1_000;
    const refused = (await relay.snapshot()).refusals.rate_limited ?? 0;
    console.log(
      `${BATCHES} batches drained in ${seconds.toFixed(1)} s under ${RATE}/s burst ${BURST}; ${refused} uploads refused rate_limited`,
    );

    // The limit held: the relay refused the gateway, and the drain took at least what the limit allows.
    expect(refused).toBeGreaterThan(0);
    expect(seconds).toBeGreaterThanOrEqual((BATCHES - BURST) / RATE);
    // Nothing lost, nothing twice: every batch once, in order, every reading once.
    const stored = await relay.batches.head(gatewayId);
    expect(stored?.sequence).toBe(BATCHES);
    const readings = new Set<number>();
    for (let sequence = 1; sequence <= BATCHES; sequence++) {
      const batch = await relay.batches.get(gatewayId, sequence);
      expect(batch, `batch ${sequence}`).toBeDefined();
      for (let seq = batch!.firstGatewaySeq; seq <= batch!.lastGatewaySeq; seq++) readings.add(seq);
    }
    expect(readings.size).toBe(BATCHES * BATCH_SIZE);
    expect((await relay.snapshot()).stored.batches).toBe(BATCHES);
    // The gateway told the relay its release and its clock (the same machine's: an offset of the call's transit at most).
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "../../gateway/package.json"), "utf8")) as {
      version: string;
    };
    const shown = await relay.fleet.show(gatewayId, Date.now());
    expect(shown?.softwareVersion).toBe(version);
    expect(Math.abs(shown?.clockOffsetMs ?? Number.NaN)).toBeLessThan(5_000);

    const token = readFileSync(join(fixture.config().dataDir, "api.token"), "utf8").trim();
    const revoked = await fetch(`http://127.0.0.1:${relay.apiPort}/v1/gateways/${gatewayId}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ reason: "decommissioned" }),
    });
    expect(revoked.status).toBe(200);
    // Its open upload stream is ended within the relay's refresh: the uplink stops and says why.
    await waitFor(() => running.snapshot().uplink?.state === "refused", 30_000, "the uplink to stop");
    expect(running.snapshot().uplink?.lastError).toContain("was revoked");
  }, 240_000);
});
