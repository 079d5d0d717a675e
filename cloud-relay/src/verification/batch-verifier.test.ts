import { BatchCommitment, fieldToBytes32, loadPoseidon, SNARK_FIELD_MODULUS } from "@intelledger/circuits";
import { Batch, batchHash, PruneReason, signBatch, signPrune, UploadRequest, type Pruned } from "@intelledger/proto/relay";
import { Wallet } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { RelayRefusal } from "../errors.js";
import { decodeUploadRequest, type ReceivedBatch } from "../grpc/upload-request-decoder.js";
import { BatchVerifier, type ChainPosition } from "./batch-verifier.js";
import { sampleReadings } from "../../test/sample-readings.js";

const gateway = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const verifier = new BatchVerifier({ maxReadingsPerBatch: 372, maxUnaccountedReadings: 10 });
let root: Uint8Array;

beforeAll(async () => {
  const hasher = await loadPoseidon();
  root = fieldToBytes32(BatchCommitment.build(hasher, { gatewayId: gateway.address, readings: sampleReadings(1, 2) }).root);
});

function batch(overrides: Partial<Batch> = {}): Batch {
  return {
    gatewayId: gateway.address,
    saltSeed: new Uint8Array(),
    sequence: 1,
    previousBatchHash: new Uint8Array(32),
    readingsRoot: root,
    sealedAtMs: 1_763_000_000_000,
    readings: sampleReadings(1, 2),
    dataClass: 1,
    readingCount: 2,
    firstGatewaySeq: 1,
    lastGatewaySeq: 2,
    streamBounds: [],
    ...overrides,
  };
}

/** The batch as the relay receives it off the wire, signed by `signer`. */
async function received(
  value: Batch,
  options: { signer?: Wallet; signature?: Uint8Array; pruned?: Pruned; pruneSigner?: Wallet } = {},
): Promise<ReceivedBatch> {
  const signature = options.signature ?? (await signBatch(options.signer ?? gateway, value));
  const prunedSignature = options.pruned
    ? await signPrune(options.pruneSigner ?? gateway, batchHash(value), options.pruned)
    : new Uint8Array();
  const bytes = UploadRequest.encode({
    message: {
      $case: "batch",
      value: { batch: value, signature, ...(options.pruned ? { pruned: options.pruned } : {}), prunedSignature },
    },
  }).finish();
  const message = decodeUploadRequest(Buffer.from(bytes));
  if (message.kind !== "batch") throw new Error(`not a batch: ${message.kind}`);
  return message.batch;
}

const start: ChainPosition = { head: undefined, classHead: () => 0, frontier: 0, accounted: 0 };

function refusal(check: () => unknown): { kind: string; reason: string } {
  try {
    check();
  } catch (error) {
    if (error instanceof RelayRefusal) return { kind: error.kind, reason: error.reason };
    throw error;
  }
  throw new Error("not refused");
}

describe("the relay's batch checks", () => {
  it("accepts a well-formed first batch and keeps its bytes as received", async () => {
    const arrived = await received(batch());
    const check = verifier.checkSigned(arrived, gateway.address, 5);
    expect(Buffer.from(check.batchHash)).toEqual(Buffer.from(batchHash(batch())));
    expect(() => verifier.checkLink(arrived.header, start)).not.toThrow();
    expect(Buffer.from(verifier.toLedgerBatch(arrived, check, 5).payload)).toEqual(Buffer.from(Batch.encode(batch()).finish()));
    expect(arrived.header.readings).toEqual([]);
    expect(arrived.readingsOnWire).toBe(2);
  });

  it("refuses a batch of another gateway than the certificate's", async () => {
    const arrived = await received(batch());
    expect(refusal(() => verifier.checkSigned(arrived, Wallet.createRandom().address, 0))).toEqual({
      kind: "permission_denied",
      reason: "gateway_mismatch",
    });
  });

  it("refuses malformed signatures and signatures of another key", async () => {
    const malformed = await received(batch(), { signature: new Uint8Array(64) });
    expect(refusal(() => verifier.checkSigned(malformed, gateway.address, 0))).toEqual({
      kind: "unauthenticated",
      reason: "batch_signature",
    });
    const forged = await received(batch(), { signer: new Wallet(Wallet.createRandom().privateKey) });
    expect(refusal(() => verifier.checkSigned(forged, gateway.address, 0))).toEqual({
      kind: "unauthenticated",
      reason: "batch_signature",
    });
  });

  it("refuses impossible headers", async () => {
    const cases: Partial<Batch>[] = [
      { sequence: 0 },
      { readingCount: 0 },
      { readingCount: 373 },
      { firstGatewaySeq: 0 },
      { lastGatewaySeq: 0 },
      { readingCount: 3, firstGatewaySeq: 1, lastGatewaySeq: 2 },
      { readingsRoot: fieldToBytes32(SNARK_FIELD_MODULUS - 1n).map(() => 0xff) },
    ];
    for (const overrides of cases) {
      const arrived = await received(batch(overrides));
      expect(
        refusal(() => verifier.checkSigned(arrived, gateway.address, 0)),
        JSON.stringify(overrides),
      ).toEqual({
        kind: "invalid_argument",
        reason: "batch_header",
      });
    }
  });

  it("refuses a batch carrying another number of readings than it declares", async () => {
    const arrived = await received(batch({ readings: sampleReadings(1, 1) }));
    expect(refusal(() => verifier.checkSigned(arrived, gateway.address, 0))).toEqual({
      kind: "invalid_argument",
      reason: "batch_readings",
    });
  });

  it("checks a pruned batch's record and signature", async () => {
    const pruned: Pruned = { reason: PruneReason.PRUNE_REASON_DROPPED, prunedAtMs: 9, rollups: [] };
    const good = await received(batch({ readings: [] }), { pruned });
    expect(verifier.checkSigned(good, gateway.address, 0).gap).toMatchObject({ reason: "dropped", readingCount: 2 });
    const withReadings = await received(batch(), { pruned });
    expect(refusal(() => verifier.checkSigned(withReadings, gateway.address, 0))).toEqual({
      kind: "invalid_argument",
      reason: "prune_record",
    });
    const unknown = await received(batch({ readings: [] }), {
      pruned: { ...pruned, reason: PruneReason.PRUNE_REASON_UNSPECIFIED },
    });
    expect(refusal(() => verifier.checkSigned(unknown, gateway.address, 0))).toEqual({
      kind: "invalid_argument",
      reason: "prune_record",
    });
    const forged = await received(batch({ readings: [] }), { pruned, pruneSigner: new Wallet(Wallet.createRandom().privateKey) });
    expect(refusal(() => verifier.checkSigned(forged, gateway.address, 0))).toEqual({
      kind: "unauthenticated",
      reason: "prune_record",
    });
  });

  it("refuses batches that do not extend the chain by one, or that leave readings unaccounted for", () => {
    const head = { sequence: 1, batchHash: new Uint8Array(32).fill(7), lastGatewaySeq: 2 };
    const after: ChainPosition = { head, classHead: () => 2, frontier: 2, accounted: 2 };
    const next = (overrides: Partial<Batch>) => batch({ sequence: 2, previousBatchHash: head.batchHash, ...overrides });
    expect(() => verifier.checkLink(next({ firstGatewaySeq: 3, lastGatewaySeq: 4 }), after)).not.toThrow();
    expect(refusal(() => verifier.checkLink(next({ sequence: 3 }), after))).toEqual({
      kind: "failed_precondition",
      reason: "out_of_order",
    });
    expect(refusal(() => verifier.checkLink(next({ previousBatchHash: new Uint8Array(32) }), after))).toEqual({
      kind: "failed_precondition",
      reason: "broken_link",
    });
    expect(refusal(() => verifier.checkLink(next({ firstGatewaySeq: 2, lastGatewaySeq: 3 }), after))).toEqual({
      kind: "failed_precondition",
      reason: "class_overlap",
    });
    // Ten numbers may wait for other data classes; eleven may not.
    expect(() => verifier.checkLink(next({ firstGatewaySeq: 13, lastGatewaySeq: 14 }), after)).not.toThrow();
    expect(refusal(() => verifier.checkLink(next({ firstGatewaySeq: 14, lastGatewaySeq: 15 }), after))).toEqual({
      kind: "failed_precondition",
      reason: "gateway_seq_gap",
    });
    // Another class filling the numbers left open is fine; claiming more readings than numbers is not.
    const open: ChainPosition = { head, classHead: () => 0, frontier: 10, accounted: 2 };
    expect(() =>
      verifier.checkLink(next({ dataClass: 2, firstGatewaySeq: 3, lastGatewaySeq: 10, readingCount: 8 }), open),
    ).not.toThrow();
    expect(
      refusal(() => verifier.checkLink(next({ dataClass: 2, firstGatewaySeq: 1, lastGatewaySeq: 10, readingCount: 10 }), open)),
    ).toEqual({
      kind: "invalid_argument",
      reason: "batch_header",
    });
  });
});

describe("the upload request decoder", () => {
  it("answers a message that does not decode, or carries nothing, with a refusal", () => {
    expect(decodeUploadRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toMatchObject({
      kind: "refused",
      refusal: { kind: "invalid_argument", reason: "malformed_message" },
    });
    expect(decodeUploadRequest(Buffer.alloc(0))).toMatchObject({ kind: "refused", refusal: { reason: "empty_message" } });
    expect(decodeUploadRequest(Buffer.from([0x0a, 0x00]))).toMatchObject({
      kind: "refused",
      refusal: { reason: "empty_message" },
    });
    // A batch whose reading claims 10 bytes where 2 are left.
    const truncatedReading = [0x32, 0x0a, 0x01, 0x02];
    const signedBatch = [0x0a, truncatedReading.length, ...truncatedReading];
    expect(decodeUploadRequest(Buffer.from([0x0a, signedBatch.length, ...signedBatch]))).toMatchObject({
      kind: "refused",
      refusal: { kind: "invalid_argument", reason: "malformed_message" },
    });
  });
});
