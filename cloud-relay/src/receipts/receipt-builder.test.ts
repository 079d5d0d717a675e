import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { BatchCommitment, fieldToBytes32, loadPoseidon, type PoseidonHasher } from "@intelledger/circuits";
import { Batch, batchHash, signBatch } from "@intelledger/proto/relay";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteBackend, type StoreBackend } from "../../test/relay-store-backends.js";
import { ReceiptBuilder } from "./receipt-builder.js";
import { receiptSchema } from "./receipt-format.js";
import { RECEIPT_JSON_SCHEMA_FILE } from "./receipt-json-schema.js";

const gateway = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
let hasher: PoseidonHasher;

beforeAll(async () => {
  hasher = await loadPoseidon();
});

const readings: Batch["readings"] = Array.from({ length: 3 }, (_, index) => ({
  gatewaySeq: 1 + index,
  deviceId: "esp32-01",
  frameCounter: BigInt(1 + index),
  channel: 1,
  channelIndex: 0,
  sampledAtMs: 1_763_000_000_000 + index,
  receivedAtMs: 1_763_000_000_100 + index,
  value: 2_000 + index,
  scale: 2,
  timeUncertain: false,
  receivedBoot: 1,
  receivedUptimeMs: index,
  anomalous: false,
}));

const backends: StoreBackend[] = [];
afterAll(async () => {
  for (const backend of backends) await backend.destroy();
});

/** A relay's ledgers holding one signed batch of three readings, anchored and confirmed. */
async function anchoredBatch() {
  const backend = await sqliteBackend();
  backends.push(backend);
  const { batches, anchors, proofs, leadership } = await backend.open();
  const term = (await leadership.claim()) ?? 0;
  const root = fieldToBytes32(BatchCommitment.build(hasher, { gatewayId: gateway.address, readings }).root);
  const batch: Batch = {
    gatewayId: gateway.address,
    sequence: 1,
    previousBatchHash: new Uint8Array(32),
    readingsRoot: root,
    sealedAtMs: 1_763_000_001_000,
    readings,
    dataClass: 1,
    readingCount: 3,
    firstGatewaySeq: 1,
    lastGatewaySeq: 3,
    streamBounds: [],
  };
  await batches.touchGateway(gateway.address, 0);
  await batches.appendAll([
    {
      batch: {
        ...batch,
        batchHash: batchHash(batch),
        receivedAtMs: 0,
        signature: await signBatch(gateway, batch),
        payload: Batch.encode(batch).finish(),
      },
      gap: undefined,
    },
  ]);
  const anchor = await anchors.createPending(root, await anchors.unanchored(10), 0, term);
  await anchors.markSubmitted(anchor.id, { hash: `0x${"ab".repeat(32)}`, nonce: 0 }, 0, term);
  await anchors.markConfirmed(anchor.id, { number: 7, hash: `0x${"cd".repeat(32)}` }, 0, term);
  const builder = new ReceiptBuilder({ batches, anchors, proofs, hasher, contract: CONTRACT, chainId: 31337 });
  return { builder, proofs };
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
