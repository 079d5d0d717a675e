import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { receiptSchema, verifyReceipt, type Receipt } from "@intelledger/verify";
import { Ajv2020 } from "ajv/dist/2020.js";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoSystem } from "../demo/demo-system.js";
import { verifyFromDocs, type DocsReceipt } from "./docs-receipt-verifier.js";
import { waitFor } from "./soak-helpers.js";
import { startTestDemoSystem } from "./test-demo-system.js";

const repoRoot = join(import.meta.dirname, "../..");
/** Receipts taken from the running system, each checked genuine and under every tampering. */
const RECEIPTS = Number(process.env["EDGE_RECEIPT_SAMPLE"] ?? 20);

const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`;
const flipMiddle = (hex: string) => {
  const at = Math.floor(hex.length / 2);
  return `${hex.slice(0, at)}${hex[at] === "0" ? "1" : "0"}${hex.slice(at + 1)}`;
};

type Tampering = [string, (copy: Receipt) => void];

/** Every tampering of `receipt` the verifiers must refuse, by name. */
function tamperings(receipt: Receipt): Tampering[] {
  return [
    ["value", (r) => (r.reading.value += 1)],
    ["sample time", (r) => (r.reading.sampledAtMs += 1)],
    ...receipt.inclusion.detailsPath.map(
      (_, i) =>
        [
          `details path sibling ${i}`,
          (r: Receipt) => (r.inclusion.detailsPath[i] = flip(r.inclusion.detailsPath[i] as string)),
        ] satisfies Tampering,
    ),
    ...receipt.anchor.siblings.map(
      (_, i) =>
        [
          `anchor path sibling ${i}`,
          (r: Receipt) => (r.anchor.siblings[i] = flip(r.anchor.siblings[i] as string)),
        ] satisfies Tampering,
    ),
    ...(receipt.inclusion.streamPath ?? []).map(
      (_, i) =>
        [
          `stream path sibling ${i}`,
          (r: Receipt) => r.inclusion.streamPath && (r.inclusion.streamPath[i] = flip(r.inclusion.streamPath[i] as string)),
        ] satisfies Tampering,
    ),
    ["details salt", (r) => r.inclusion.salt && (r.inclusion.salt = flip(r.inclusion.salt))],
    ["stream bounds", (r) => r.inclusion.stream && (r.inclusion.stream.max += 1)],
    [
      "disclosure proof element",
      (r) => {
        const groth16 = JSON.parse(r.inclusion.disclosure?.groth16 ?? "{}") as { pi_c: string[] };
        groth16.pi_c[0] = (BigInt(groth16.pi_c[0] as string) + 1n).toString();
        if (r.inclusion.disclosure) r.inclusion.disclosure.groth16 = JSON.stringify(groth16);
      },
    ],
    ["claims root", (r) => (r.inclusion.claimsRoot = String(BigInt(r.inclusion.claimsRoot ?? 0) + 1n))],
    ["readings root", (r) => (r.batch.readingsRoot = flip(r.batch.readingsRoot))],
    ["anchored root", (r) => (r.anchor.root = flip(r.anchor.root))],
    ["transaction", (r) => (r.anchor.transactionHash = flip(r.anchor.transactionHash))],
    ["chain id", (r) => (r.anchor.chainId += 1)],
    [
      "proof element",
      (r) => {
        const groth16 = JSON.parse(r.proof?.groth16 ?? "{}") as { pi_a: string[] };
        groth16.pi_a[0] = (BigInt(groth16.pi_a[0] as string) + 1n).toString();
        if (r.proof) r.proof.groth16 = JSON.stringify(groth16);
      },
    ],
    ["public signal", (r) => r.proof && (r.proof.publicSignals[4] = String(Number(r.proof.publicSignals[4]) + 1))],
    ["signature", (r) => (r.batch.signature = flipMiddle(r.batch.signature))],
    ["proof removed", (r) => delete r.proof],
    ["contract changed", (r) => (r.anchor.contract = "0x000000000000000000000000000000000000dEaD")],
  ];
}

describe("receipts from a running system, checked by a verifier written from the docs alone", () => {
  let dataDir: string;
  let system: DemoSystem;
  let provider: JsonRpcProvider;
  const receipts: Receipt[] = [];
  /** Time the relay took to answer the receipts asked for. */
  let fetchMs = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "edge-docs-verifier-"));
    system = await startTestDemoSystem(dataDir, { batchMaxAgeMs: 1_000 });
    const { gateway, relay } = system;
    provider = new JsonRpcProvider(system.chain.rpcUrl, undefined, { staticNetwork: true });
    // Readings of batches whose proofs the relay verified, spread over them.
    let proven: number[] = [];
    await waitFor(
      async () => {
        const provenBatches = [];
        for (const batch of gateway.batches.from(1, 100)) {
          if ((await relay.proofs.get(gateway.id, batch.sequence))?.valid === true) provenBatches.push(batch);
        }
        proven = provenBatches.flatMap((batch) => gateway.batches.readingsOf(batch).map((reading) => reading.gatewaySeq));
        return proven.length >= RECEIPTS && (await relay.proofs.get(gateway.id, 2))?.valid === true;
      },
      240_000,
      `${RECEIPTS} readings in proven batches`,
    );
    await system.stopDevices();
    const token = readFileSync(join(dataDir, "relay", "api.token"), "utf8").trim();
    const picked = Array.from(
      { length: RECEIPTS },
      (_, i) => proven[Math.floor((i * (proven.length - 1)) / (RECEIPTS - 1 || 1))] as number,
    );
    // The relay proves each receipt's disclosure on demand, seconds each on a busy machine.
    const deadline = Date.now() + 60_000 + RECEIPTS * 15_000;
    for (const gatewaySeq of picked) {
      for (;;) {
        const asked = performance.now();
        const response = await fetch(`http://127.0.0.1:${relay.apiPort}/v1/receipts/${gateway.id}/${gatewaySeq}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (response.status === 200) {
          receipts.push((await response.json()) as Receipt);
          fetchMs += performance.now() - asked;
          break;
        }
        if (Date.now() > deadline) throw new Error(`no receipt of reading ${gatewaySeq}: ${response.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }, 960_000);

  afterAll(async () => {
    provider?.destroy();
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("takes receipts that match the published JSON Schema, of several batches and anchors", () => {
    const validate = new Ajv2020({ strict: false }).compile(
      JSON.parse(readFileSync(join(repoRoot, "docs/receipt.schema.json"), "utf8")),
    );
    expect(receipts).toHaveLength(RECEIPTS);
    for (const receipt of receipts) {
      expect(validate(receipt), JSON.stringify(validate.errors)).toBe(true);
      expect(receipt.proofStatus).toBe("attached");
    }
    expect(new Set(receipts.map((receipt) => receipt.batch.sequence)).size).toBeGreaterThan(1);
  });

  it("verifies every genuine receipt, as npm run verify's checks do", async () => {
    let docsMs = 0;
    let projectMs = 0;
    for (const receipt of receipts) {
      const start = performance.now();
      expect(await verifyFromDocs(receipt as DocsReceipt, provider)).toBe("verified");
      const between = performance.now();
      expect((await verifyReceipt(receiptSchema.parse(receipt), provider, system.receiptTrust)).verdict).toBe("verified");
      docsMs += between - start;
      projectMs += performance.now() - between;
    }
    const bytes = receipts.map((receipt) => Buffer.byteLength(JSON.stringify(receipt)));
    console.log(
      `receipts: ${Math.min(...bytes)} to ${Math.max(...bytes)} bytes of JSON; verifying one took ` +
        `${(docsMs / receipts.length).toFixed(0)} ms (docs verifier) and ${(projectMs / receipts.length).toFixed(0)} ms (verify's checks, on-chain trust included); ` +
        `the relay made one in ${(fetchMs / receipts.length).toFixed(0)} ms`,
    );
  }, 300_000);

  it("refuses each tampering of every receipt, as npm run verify's checks do", async () => {
    let refused = 0;
    for (const receipt of receipts) {
      for (const [name, change] of tamperings(receipt)) {
        const copy = structuredClone(receipt);
        change(copy);
        const docs = await verifyFromDocs(copy as DocsReceipt, provider).catch((error: unknown) => error);
        expect(docs, `the docs verifier took a receipt with its ${name} changed`).not.toBe("verified");
        const project = await verifyReceipt(receiptSchema.parse(copy), provider, system.receiptTrust).then(
          (verified) => verified.verdict,
          (error: unknown) => error,
        );
        expect(project, `verify took a receipt with its ${name} changed`).not.toBe("verified");
        refused++;
      }
    }
    console.log(`${refused} tampered receipts refused by both verifiers`);
  }, 600_000);
});
