import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import {
  batchHeader,
  batchHeaderFromJson,
  batchHeaderToJson,
  batchWithReadings,
  sealedBatchHeader,
  type BatchPlacement,
} from "./batch-header.js";
import { batchHash, recoverBatchSigner, signBatch, ZERO_BATCH_HASH } from "./batch-hash.js";
import { Batch, Reading } from "./gen/intelledger/relay/v1/relay.js";

const wallet = Wallet.createRandom();
const placement: BatchPlacement = {
  gatewayId: wallet.address,
  sequence: 4,
  previousBatchHash: new Uint8Array(32).fill(7),
  readingsRoot: new Uint8Array(32).fill(3),
  sealedAtMs: 1_763_000_000_000,
  dataClass: 2,
};

/** A reading with its gateway_seq and the rest at protobuf defaults. */
const reading = (gatewaySeq: number) => Reading.fromJSON({ gatewaySeq, deviceId: "d1" });

describe("batch header", () => {
  it("takes its count and gateway_seq range from the readings sealed into it", () => {
    const header = sealedBatchHeader(placement, [reading(10), reading(12), reading(15)]);
    expect(header).toEqual({ ...placement, readingCount: 3, firstGatewaySeq: 10, lastGatewaySeq: 15 });
    expect(() => sealedBatchHeader(placement, [])).toThrow(/batch 4 would hold no readings/);
  });

  it("is the same header, hash and signature whether read from the wire batch or a stored record", async () => {
    const header = sealedBatchHeader(placement, [reading(10)]);
    const wire = batchWithReadings(header, [reading(10)]);
    const stored = { ...header, batchHash: batchHash(header), signature: await signBatch(wallet, header), ackedAtMs: 5 };
    expect(batchHeader(wire)).toEqual(header);
    expect(batchHeader(stored)).toEqual(header);
    expect(Batch.decode(Batch.encode(wire).finish())).toEqual(wire);
    expect(recoverBatchSigner(batchHeader(stored), stored.signature)).toBe(wallet.address);
    expect(recoverBatchSigner(wire, stored.signature)).toBe(wallet.address);
  });

  it("round-trips through JSON with its bytes as hex, and the signature still holds", async () => {
    const header = sealedBatchHeader({ ...placement, previousBatchHash: ZERO_BATCH_HASH }, [reading(1), reading(2)]);
    const json = batchHeaderToJson(header);
    expect(json.previousBatchHash).toBe(`0x${"00".repeat(32)}`);
    expect(json.readingsRoot).toBe(`0x${"03".repeat(32)}`);
    const parsed = batchHeaderFromJson(JSON.parse(JSON.stringify(json)) as typeof json);
    expect(parsed).toEqual(header);
    expect(recoverBatchSigner(parsed, await signBatch(wallet, header))).toBe(wallet.address);
  });
});
