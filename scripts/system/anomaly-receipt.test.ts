import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Receipt } from "@intelledger/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoSystem } from "../demo/demo-system.js";
import { demoTrustArgs } from "./receipt-verify-command.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");
// Low enough that the simulated sensors' ordinary wobble is flagged, so flags reach the relay.
const LOW = 0.3;

describe("an anomaly flag, from the gateway's model to a proven claim checked against the chain", () => {
  let dataDir: string;
  let system: DemoSystem;
  let receipt: Receipt;

  async function verify(candidate: Receipt): Promise<{ code: number; output: string }> {
    const file = join(dataDir, `receipt-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(candidate));
    const args = ["--import", "tsx", "verify/src/cli.ts", "--receipt", file];
    try {
      const { stdout } = await run(process.execPath, [...args, "--rpc-url", system.chain.rpcUrl, ...demoTrustArgs(system)], {
        cwd: repoRoot,
      });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, output: failed.stderr };
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-anomaly-"));
    system = await startTestDemoSystem(dataDir, {
      batchMaxAgeMs: 2_000,
      inference: { thresholds: { channels: { temperature: LOW, humidity: LOW, vibration: LOW, analog: LOW } } },
    });
    const { gateway, relay } = system;
    // A flagged reading in a batch whose proof the relay verified.
    let flagged: number | undefined;
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
    const token = readFileSync(join(dataDir, "relay", "api.token"), "utf8").trim();
    // The receipt exists once the batch is anchored.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${relay.apiPort}/v1/receipts/${gateway.id}/${flagged}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status === 200) {
        receipt = (await response.json()) as Receipt;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no receipt for reading ${flagged}: ${response.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
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
