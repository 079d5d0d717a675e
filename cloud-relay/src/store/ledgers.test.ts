import { describe, expect, it } from "vitest";
import { RelayRefusal } from "../errors.js";
import { BatchLedger, type LedgerBatch } from "./batch-ledger.js";
import { ProofLedger } from "./proof-ledger.js";
import { openRelayDatabase } from "./relay-database.js";

const GATEWAY = "0x00000000000000000000000000000000000000aa";

function stored(sequence: number, first: number, last: number, readingCount = last - first + 1): LedgerBatch {
  return {
    gatewayId: GATEWAY,
    sequence,
    batchHash: new Uint8Array(32).fill(sequence),
    previousBatchHash: new Uint8Array(32).fill(sequence - 1),
    readingsRoot: new Uint8Array(32),
    firstGatewaySeq: first,
    lastGatewaySeq: last,
    readingCount,
    dataClass: 1,
    sealedAtMs: 0,
    receivedAtMs: 0,
    signature: new Uint8Array(65),
    payload: new Uint8Array([1]),
  };
}

function ledgers() {
  const db = openRelayDatabase(":memory:");
  const batches = new BatchLedger(db);
  batches.touchGateway(GATEWAY, 0);
  return { batches, proofs: new ProofLedger(db) };
}

describe("the batch ledger", () => {
  it("refuses a batch already stored by another writer with a precise refusal, storing nothing of the transaction", () => {
    const { batches } = ledgers();
    batches.appendAll([{ batch: stored(1, 1, 2), gap: undefined }]);
    let refusal: unknown;
    try {
      batches.appendAll([
        { batch: stored(2, 3, 4), gap: undefined },
        { batch: stored(1, 1, 2), gap: undefined },
      ]);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RelayRefusal);
    expect(refusal).toMatchObject({ kind: "aborted", reason: "stored_concurrently" });
    expect(batches.head(GATEWAY)?.sequence).toBe(1);
  });

  it("tells how far a gateway's batches reach and how many readings they account for", () => {
    const { batches } = ledgers();
    expect(batches.accounting(GATEWAY)).toEqual({ frontier: 0, accounted: 0 });
    batches.appendAll([
      { batch: stored(1, 1, 10, 6), gap: undefined },
      { batch: { ...stored(2, 2, 9, 4), dataClass: 2 }, gap: undefined },
    ]);
    expect(batches.accounting(GATEWAY)).toEqual({ frontier: 10, accounted: 10 });
    expect(Buffer.from(batches.batchHashOf(GATEWAY, 2) ?? [])).toEqual(Buffer.alloc(32, 2));
    expect(batches.batchHashOf(GATEWAY, 3)).toBeUndefined();
  });
});

describe("the proof ledger", () => {
  it("keeps the first proof of a batch", () => {
    const { batches, proofs } = ledgers();
    batches.appendAll([{ batch: stored(1, 1, 1), gap: undefined }]);
    const proof = { gatewayId: GATEWAY, batchSequence: 1, valid: false, proof: "first", publicSignals: ["1"], verifiedAtMs: 1 };
    expect(proofs.record(proof)).toBe(true);
    expect(proofs.record({ ...proof, valid: true, proof: "second" })).toBe(false);
    expect(proofs.get(GATEWAY, 1)).toMatchObject({ valid: false, proof: "first" });
  });
});
