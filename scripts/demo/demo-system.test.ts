import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytes32ToField, fieldToBytes32, loadPoseidon, PoseidonMerkleTree } from "@intelledger/circuits";
import { dataAnchorAbi } from "@intelledger/contracts";
import { Batch, type Reading } from "@intelledger/proto/relay";
import type { EventLog } from "ethers";
import { Contract, hexlify, JsonRpcProvider } from "ethers";
import { pino } from "pino";
import { until } from "@intelledger/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../gateway/test/gateway-client.js";
import { typescriptFleet } from "./demo-fleet.js";
import { startDemoSystem, type DemoSystem } from "./demo-system.js";

describe("a reading travels end to end", () => {
  let dataDir: string;
  let system: DemoSystem;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-e2e-"));
    system = await startDemoSystem({
      dataDir,
      fleet: typescriptFleet({ devices: 3, intervalMs: 100, logger: pino({ level: "silent" }) }),
      mqttPort: 0,
      httpPort: 0,
      batchMaxAgeMs: 300,
      anchorIntervalMs: 500,
      logger: pino({ level: "silent" }),
    });
  });

  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is stored by the gateway, stored by the relay, and its root is anchored on chain", { timeout: 120_000 }, async () => {
    await until(() => system.gateway.snapshot().ingest.readingsAccepted >= 90, "readings to arrive", 20_000, 100);
    await system.stopDevices();
    const { gateway, relay } = system;
    // Everything the gateway stored drains to the relay and gets anchored.
    await until(
      async () => {
        const { readingsStored, readingsSealed, backlog } = gateway.snapshot();
        return (
          readingsSealed === readingsStored &&
          backlog.batches === 0 &&
          (await relay.snapshot()).anchored.readingsAnchored === readingsStored
        );
      },
      "every reading to be anchored",
      30_000,
      100,
    );
    const stored = gateway.readings.count();
    expect(stored).toBe(gateway.snapshot().ingest.readingsAccepted);

    // The relay holds exactly the gateway's readings, batch by batch, in order.
    const relayReadings: Reading[] = [];
    for (let sequence = 1; ; sequence++) {
      const batch = await relay.batches.get(gateway.id, sequence);
      if (!batch) break;
      relayReadings.push(...Batch.decode(batch.payload).readings);
    }
    // What the gateway keeps beside a reading (its class, how its score was reached) is not on the wire.
    const gatewayReadings = gateway.readings
      .between(1, stored)
      .map(
        ({
          dataClass: _dataClass,
          decided: _decided,
          anomalyScore: _anomalyScore,
          modelVersion: _modelVersion,
          unscoredReason: _unscoredReason,
          ...reading
        }) => reading,
      );
    expect(relayReadings).toEqual(gatewayReadings);

    // Each anchor's root is the fold of its batches' roots, and the chain says so.
    const hasher = await loadPoseidon();
    const provider = new JsonRpcProvider(system.chain.rpcUrl, undefined, { staticNetwork: true });
    const contract = new Contract(system.contractAddress, dataAnchorAbi, provider);
    const events = (await contract.queryFilter(contract.getEvent("RootAnchored"))) as EventLog[];
    const anchoredRoots = new Map(events.map((event) => [event.args[0] as string, event]));
    let readingsOnChain = 0;
    for (let id = 1; ; id++) {
      const anchor = await relay.anchors.byId(id);
      if (!anchor) break;
      const leaves = (await relay.batches.byAnchor(id)).map((batch) => bytes32ToField(batch.readingsRoot));
      const root = hexlify(fieldToBytes32(PoseidonMerkleTree.build(hasher, leaves).root));
      expect(hexlify(anchor.root)).toBe(root);
      const event = anchoredRoots.get(root);
      expect(event, `root of anchor ${id} on chain`).toBeDefined();
      expect(event?.transactionHash).toBe(anchor.txHash);
      readingsOnChain += Number(event?.args[2]);
    }
    expect(readingsOnChain).toBe(stored);
    provider.destroy();
  });

  it("reports its state on the relay's Prometheus endpoint, to a scraper holding the token", async () => {
    const url = `http://127.0.0.1:${system.relay.apiPort}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const token = readFileSync(join(dataDir, "relay", "api.token"), "utf8").trim();
    const text = await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).text();
    const stored = (await system.relay.snapshot()).stored.readings;
    expect(text).toContain(`intelledger_relay_readings_stored_total ${stored}`);
    expect(text).toContain(`intelledger_relay_readings_anchored_total ${stored}`);
    // Counted by reason; a demo gateway is never refused, so no reason has a series.
    expect(text).toContain("# TYPE intelledger_relay_refusals_total counter");
    expect(text).not.toMatch(/^intelledger_relay_refusals_total\{/m);
  });

  it(
    "lets a technician check a reading's receipt through the gateway, against the demo's chain",
    { timeout: 180_000 },
    async () => {
      const { gateway } = system;
      const client = new GatewayClient(gateway.httpPort);
      const technician = await client.pair(gateway.pairingCode ?? "", "tech");
      const token = await client.apiToken(technician, "demo receipt check");
      await until(() => (gateway.snapshot().uplink?.lastAnchored?.sequence ?? 0) >= 1, "a batch the relay anchored", 60_000, 100);
      const response = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/receipts/1/verify`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(response.status).toBe(200);
      const { check } = (await response.json()) as { check: { verdict: string; links: { result: string }[] } };
      // The proof may still be on its way: every other link holds.
      expect(["verified", "not_proven"]).toContain(check.verdict);
      expect(check.links.filter((link) => link.result === "failed")).toEqual([]);
    },
  );
});
