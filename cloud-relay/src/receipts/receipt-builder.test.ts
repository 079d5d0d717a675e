import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadPoseidon, type PoseidonHasher } from "@intelledger/circuits";
import { receiptSchema } from "@intelledger/verify";
import { RECEIPT_JSON_SCHEMA_FILE } from "@intelledger/verify/json-schema";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchoredBatch as anchoredBatchFixture, testReadings } from "../../test/receipt-fixture.js";

const gateway = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
let hasher: PoseidonHasher;

beforeAll(async () => {
  hasher = await loadPoseidon();
});

const fixtures: Awaited<ReturnType<typeof anchoredBatchFixture>>[] = [];
afterAll(async () => {
  for (const fixture of fixtures) {
    await fixture.disclosures.close();
    await fixture.backend.destroy();
  }
});

async function anchoredBatch() {
  const fixture = await anchoredBatchFixture({
    hasher,
    gateway,
    readings: testReadings(),
    anchor: { transactionHash: `0x${"ab".repeat(32)}`, blockNumber: 7 },
    contract: CONTRACT,
    chainId: 31337,
  });
  fixtures.push(fixture);
  return fixture;
}

const proofOf = (valid: boolean) => ({
  gatewayId: gateway.address,
  batchSequence: 1,
  valid,
  proof: '{"pi_a":[]}',
  publicSignals: ["1"],
  verifiedAtMs: 0,
});

describe("a reading's receipt at the relay", () => {
  it("says the proof is pending until the gateway's proof arrives, then carries it", async () => {
    const { builder, proofs } = await anchoredBatch();
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(RECEIPT_JSON_SCHEMA_FILE, "utf8")));
    const built = await builder.build(gateway.address, 2);
    expect(validate(JSON.parse(JSON.stringify(built))), JSON.stringify(validate.errors)).toBe(true);
    const pending = receiptSchema.parse(built);
    expect(pending.proofStatus).toBe("pending");
    expect(pending.proof).toBeUndefined();
    expect(pending.reading.value).toBe(2_001);

    await proofs.record(proofOf(true));
    const attached = receiptSchema.parse(await builder.build(gateway.address, 2));
    expect(attached.proofStatus).toBe("attached");
    expect(attached.proof).toEqual({ groth16: '{"pi_a":[]}', publicSignals: ["1"] });
  });

  it("says so when the gateway's proof did not verify, and carries none", async () => {
    const { builder, proofs } = await anchoredBatch();
    await proofs.record(proofOf(false));
    const receipt = receiptSchema.parse(await builder.build(gateway.address, 3));
    expect(receipt.proofStatus).toBe("invalid");
    expect(receipt.proof).toBeUndefined();
  });
});
