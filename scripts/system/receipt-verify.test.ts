import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RECEIPT_LINKS, receiptSchema, verifyReceipt, type ChainTrust, type Receipt } from "@intelledger/verify";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoSystem } from "../demo/demo-system.js";
import { requestReceipt } from "./demo-receipts.js";
import { startBrowserVerifier } from "./browser-receipt-verifier.js";
import { demoTrustArgs, runVerifyCommand } from "./receipt-verify-command.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

describe("a reading's receipt, checked against the chain by the verify command", () => {
  let dataDir: string;
  let system: DemoSystem;
  let receipt: Receipt;

  /** Runs the verify command on a receipt; returns its exit code and what it printed. */
  const verify = (candidate: Receipt, trustArgs?: string[]) => runVerifyCommand(system, dataDir, candidate, trustArgs);

  /** A deployment file like the system's, with `change` made to it. */
  function deploymentWith(change: Partial<DemoSystem["deployment"]>): string {
    const file = join(dataDir, `deployment-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ ...system.deployment, ...change }));
    return file;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-receipt-"));
    system = await startTestDemoSystem(dataDir);
    await waitFor(
      async () => (await system.relay.snapshot()).anchored.readingsAnchored >= 20,
      180_000,
      "readings to be anchored",
    );
    // The gateway proves each batch after sealing it; wait for the relay to hold a verified proof of the first.
    await waitFor(
      async () => (await system.relay.proofs.get(system.gateway.id, 1))?.valid === true,
      120_000,
      "the first batch's proof",
    );
    await waitFor(() => system.gateway.snapshot().proofs.uploaded > 0, 10_000, "the gateway to record the relay's proof ack");
    expect(system.gateway.snapshot().proofs.invalid).toBe(0);
    // Reading 5's batch may be one whose proof is still on its way: the receipt says so; ask again until it is attached.
    await waitFor(
      async () => {
        const response = await requestReceipt(system, dataDir, 5);
        expect(response.status).toBe(200);
        receipt = (await response.json()) as Receipt;
        expect(receipt.proofStatus).not.toBe("invalid");
        return receipt.proofStatus === "attached";
      },
      120_000,
      "reading 5's receipt to carry its batch's proof",
    );
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("verifies a genuine receipt with only an RPC URL, the chain id and the published deployment", async () => {
    expect(receipt.reading.gatewaySeq).toBe(5);
    expect(receipt.proof).toBeDefined();
    const { code, output } = await verify(receipt);
    expect(output).toMatch(/^verified: reading 5 of device sim-node-00\d/);
    expect(output).toMatch(/proven without revealing values: \d+ readings in the batch, 0 anomalous/);
    expect(code).toBe(0);
  }, 180_000);

  it("does not pass a receipt without its proof: not proven, exit 3, saying what was and was not checked", async () => {
    const stripped = structuredClone(receipt);
    delete stripped.proof;
    for (const [proofStatus, why] of [["pending", "the relay had not received the batch's proof"]] as const) {
      const { code, output } = await verify({ ...stripped, proofStatus });
      expect(output).toMatch(/^NOT PROVEN \(proof_missing\): reading 5 of device sim-node-00\d/);
      expect(output).toContain(why);
      expect(output).toMatch(
        /checked:\n {2}- the RPC endpoint and the receipt are on the deployment's chain\n[^]*the gateway signed the batch header\n[^]*the anchor has the required confirmations\n/,
      );
      expect(output).toMatch(/not checked:\n {2}- the batch's zero-knowledge proof/);
      expect(output).not.toMatch(/^verified/m);
      expect(code).toBe(3);
    }
  }, 180_000);

  it("names the link that fails when anything was tampered with", async () => {
    const tampered = (change: (copy: Receipt) => void) => {
      const copy = structuredClone(receipt);
      change(copy);
      return copy;
    };
    const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`;
    const dead = "0x000000000000000000000000000000000000dEaD";
    const trust = system.receiptTrust;
    const cases: [string, Receipt, ChainTrust?][] = [
      ["reading_not_in_batch", tampered((r) => (r.reading.value += 1))],
      ["reading_not_in_batch", tampered((r) => (r.reading.deviceId = "someone-else"))],
      ["reading_not_in_batch", tampered((r) => (r.inclusion.detailsPath[0] = flip(r.inclusion.detailsPath[0] ?? "0x")))],
      ["batch_signature", tampered((r) => (r.batch.readingsRoot = flip(r.batch.readingsRoot)))],
      ["batch_not_in_anchor", tampered((r) => (r.anchor.root = flip(r.anchor.root)))],
      ["transaction_mismatch", tampered((r) => (r.anchor.transactionHash = flip(r.anchor.transactionHash)))],
      ["proof_invalid", tampered((r) => r.proof && (r.proof.publicSignals[5] = "1"))],
      ["wrong_chain", tampered((r) => (r.anchor.chainId += 1))],
      ["deployment_mismatch", tampered((r) => (r.anchor.contract = dead))],
      // What the verifier trusts: a deployment that is not the chain's, the development key, confirmations.
      ["deployment_mismatch", receipt, { ...trust, deployment: { ...trust.deployment, dataAnchor: dead } }],
      [
        "deployment_mismatch",
        receipt,
        { ...trust, deployment: { ...trust.deployment, registry: trust.deployment.batchVerifier } },
      ],
      ["wrong_chain", receipt, { ...trust, deployment: { ...trust.deployment, chainId: 1 } }],
      ["development_key", receipt, { ...trust, allowDevelopmentKey: false }],
      ["too_few_confirmations", receipt, { ...trust, minConfirmations: 1_000_000 }],
    ];
    if (receipt.anchor.siblings.length > 0) {
      cases.push(["batch_not_in_anchor", tampered((r) => (r.anchor.siblings[0] = flip(r.anchor.siblings[0] ?? "0x")))]);
    }
    const provider = new JsonRpcProvider(system.chain.rpcUrl, undefined, { staticNetwork: true });
    try {
      for (const [failure, candidate, candidateTrust] of cases) {
        await expect(
          verifyReceipt(receiptSchema.parse(candidate), provider, candidateTrust ?? trust),
          failure,
        ).rejects.toMatchObject({
          failure,
        });
      }
    } finally {
      provider.destroy();
    }
    // The command prints the reason and exits 1; it reads the trust from its options.
    const { code, output } = await verify(tampered((r) => (r.reading.value += 1)));
    expect(output).toMatch(/^NOT VERIFIED \(reading_not_in_batch\): the reading is not in its batch/);
    expect(code).toBe(1);
    const deployment = await verify(receipt, demoTrustArgs(system, deploymentWith({ registry: dead })));
    expect(deployment.output).toContain("NOT VERIFIED (deployment_mismatch)");
    const confirmations = await verify(receipt, [...demoTrustArgs(system), "--min-confirmations", "1000000"]);
    expect(confirmations.output).toContain("NOT VERIFIED (too_few_confirmations)");
    const developmentKey = await verify(
      receipt,
      demoTrustArgs(system).filter((arg) => arg !== "--allow-dev-key"),
    );
    expect(developmentKey.output).toContain("NOT VERIFIED (development_key)");
    expect([deployment.code, confirmations.code, developmentKey.code]).toEqual([1, 1, 1]);
  }, 600_000);

  it("verifies the receipt in Chromium with the package's browser bundle, against the chain's endpoint, and refuses a tampered one", async () => {
    const browser = await startBrowserVerifier();
    try {
      const trust = {
        rpcUrl: system.chain.rpcUrl,
        chainId: system.deployment.chainId,
        deployment: system.receiptTrust.deployment,
        minConfirmations: 1,
        allowDevelopmentKey: true,
      };
      const genuine = await browser.verify(receipt, trust);
      expect(genuine).toMatchObject({ verdict: "verified", checked: Object.keys(RECEIPT_LINKS) });
      expect("readingCount" in genuine && genuine.readingCount).toBeGreaterThan(0);

      const tampered = structuredClone(receipt);
      tampered.reading.value += 1;
      expect(await browser.verify(tampered, trust)).toMatchObject({ failure: "reading_not_in_batch" });
      const stripped = structuredClone(receipt);
      delete stripped.proof;
      expect(await browser.verify(stripped, trust)).toMatchObject({ verdict: "not_proven" });
      expect(await browser.verify(receipt, { ...trust, allowDevelopmentKey: false })).toMatchObject({
        failure: "development_key",
      });
      console.log(`browser bundle: ${browser.bundleBytes} bytes`);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
