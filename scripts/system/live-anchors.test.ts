// The gateway's live stream tells a screen when the relay anchored its batches, as a client
// of GET /api/live sees it, and the transaction it names is on the chain.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../gateway/test/gateway-client.js";
import { LiveClient } from "../../gateway/test/live-client.js";
import { type DemoSystem } from "../demo/demo-system.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

describe("anchors on the gateway's live stream", () => {
  let dataDir: string;
  let system: DemoSystem;
  const live = new LiveClient();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-live-anchors-"));
    system = await startTestDemoSystem(dataDir);
  }, 240_000);

  afterAll(async () => {
    await live.close();
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("names the newest anchored batch and its transaction, within a heartbeat of the anchor", async () => {
    const { gateway } = system;
    const client = new GatewayClient(gateway.httpPort);
    const token = await client.apiToken(await client.pair(gateway.pairingCode ?? "", "tech"), "live anchors test");
    await live.open(`http://127.0.0.1:${gateway.httpPort}/api/live?types=anchor`, token);
    // Heartbeats carry the relay's anchors: every 10 s by default.
    await waitFor(() => live.of("anchor").length > 0, 120_000, "an anchor event");
    const [event] = live.of("anchor");
    expect(live.events.every((received) => received.event === "anchor")).toBe(true);
    const anchored = event?.data as { sequence: number; transactionHash: string; blockNumber: number; confirmedAtMs: number };
    expect(anchored.sequence).toBeGreaterThanOrEqual(1);
    expect(anchored.sequence).toBeLessThanOrEqual(gateway.snapshot().batchesAcked);
    const transaction = await new JsonRpcProvider(system.chain.rpcUrl, undefined, { staticNetwork: true }).getTransactionReceipt(
      anchored.transactionHash,
    );
    expect(transaction?.blockNumber).toBe(anchored.blockNumber);
    expect(transaction?.to?.toLowerCase()).toBe(system.contractAddress.toLowerCase());
    expect(gateway.snapshot().uplink).toBeDefined();
  }, 180_000);
});
