import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Receipt } from "@intelledger/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoSystem } from "../demo/demo-system.js";
import { requestReceipt } from "./demo-receipts.js";
import { runVerifyCommand } from "./receipt-verify-command.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

// Low enough that the simulated sensors' ordinary wobble is flagged, so flags reach the relay.
const LOW = 0.3;

describe("an anomaly flag, from the gateway's model to a proven claim checked against the chain", () => {
  let dataDir: string;
  let system: DemoSystem;
  let receipt: Receipt;

  /** Runs the verify command on a receipt; returns its exit code and what it printed. */
  const verify = (candidate: Receipt) => runVerifyCommand(system, dataDir, candidate);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-anomaly-"));
    system = await startTestDemoSystem(dataDir, {
      batchMaxAgeMs: 2_000,
      inference: { thresholds: { channels: { temperature: LOW, humidity: LOW, vibration: LOW, analog: LOW } } },
    });
    const { gateway, relay } = system;
    // A flagged reading in a batch whose proof the relay verified.
    let flagged = 0; // none yet: readings count from 1
    await waitFor(
      async () => {
        for (const batch of gateway.batches.from(1, 10_000)) {
          if ((await relay.proofs.get(gateway.id, batch.sequence))?.valid !== true) continue;
          const reading = gateway.batches.readingsOf(batch).find((r) => r.anomalous);
          if (reading) {
            flagged = reading.gatewaySeq;
            return true;
          }
        }
        return false;
      },
      240_000,
      "a proven batch with a flagged reading",
    );
    // The receipt exists once the batch is anchored.
    await waitFor(
      async () => {
        const response = await requestReceipt(system, dataDir, flagged);
        if (response.status !== 200) return false;
        receipt = (await response.json()) as Receipt;
        return true;
      },
      60_000,
      `reading ${flagged}'s receipt`,
    );
  }, 330_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("verifies the flagged reading's receipt, its flag in the batch's claims and the proven anomaly count", async () => {
    expect(receipt.reading.anomalous).toBe(true);
    const { code, output } = await verify(receipt);
    expect(code, output).toBe(0);
    expect(output).toMatch(new RegExp(`^verified: reading ${receipt.reading.gatewaySeq} `));
    expect(output).toContain("the gateway flagged this reading anomalous");
    const anomalous = Number(/(\d+) anomalous,/.exec(output)?.[1] ?? 0);
    expect(anomalous).toBeGreaterThan(0);
  }, 120_000);

  it("refuses the receipt with the flag cleared", async () => {
    const cleared = structuredClone(receipt);
    cleared.reading.anomalous = false;
    const { code, output } = await verify(cleared);
    expect(code, output).toBe(1);
    expect(output).toContain("NOT VERIFIED (reading_not_in_batch)");
  }, 120_000);
});
