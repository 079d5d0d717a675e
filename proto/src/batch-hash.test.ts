import { TypedDataEncoder, Wallet, hexlify } from "ethers";
import { describe, expect, it } from "vitest";
import {
  BATCH_SIGNING_DOMAIN,
  BATCH_SIGNING_TYPES,
  batchHash,
  recoverBatchSigner,
  signBatch,
  ZERO_BATCH_HASH,
} from "./batch-hash.js";
import type { Batch } from "./gen/intelledger/relay/v1/relay.js";

const wallet = Wallet.createRandom();
const batch: Batch = {
  gatewayId: wallet.address,
  saltSeed: new Uint8Array(),
  sequence: 1,
  previousBatchHash: ZERO_BATCH_HASH,
  readingsRoot: new Uint8Array(32).fill(3),
  sealedAtMs: 1_763_000_000_000,
  dataClass: 1,
  readingCount: 1,
  firstGatewaySeq: 10,
  lastGatewaySeq: 10,
  streamBounds: [],
  readings: [
    {
      gatewaySeq: 10,
      deviceId: "d1",
      frameCounter: 1n,
      channel: 1,
      channelIndex: 0,
      sampledAtMs: 1,
      receivedAtMs: 2,
      value: 5,
      scale: 1,
      timeUncertain: false,
      receivedBoot: 1,
      receivedUptimeMs: 3,
      anomalous: false,
    },
  ],
};

describe("batch signature", () => {
  it("recovers the gateway that signed the header", async () => {
    const signature = await signBatch(wallet, batch);
    expect(signature).toHaveLength(65);
    expect(recoverBatchSigner(batch, signature)).toBe(wallet.address);
  });

  it("no longer recovers the gateway once any header field changes", async () => {
    const signature = await signBatch(wallet, batch);
    const altered: Batch[] = [
      { ...batch, sequence: 2 },
      { ...batch, readingsRoot: new Uint8Array(32).fill(4) },
      { ...batch, previousBatchHash: new Uint8Array(32).fill(1) },
      { ...batch, sealedAtMs: batch.sealedAtMs + 1 },
      { ...batch, readingCount: 2 },
      { ...batch, dataClass: 0 },
      { ...batch, lastGatewaySeq: 11 },
    ];
    for (const candidate of altered) expect(recoverBatchSigner(candidate, signature)).not.toBe(wallet.address);
  });

  it("gives every distinct header a distinct 32-byte hash", () => {
    const first = batchHash(batch);
    expect(first).toHaveLength(32);
    expect(Buffer.from(batchHash({ ...batch, sequence: 2 })).equals(Buffer.from(first))).toBe(false);
  });

  it("is the EIP-712 digest the typed-data encoder gives, and refuses what it refuses", () => {
    const typedDigest = (header: Batch) =>
      TypedDataEncoder.hash(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, {
        gateway: header.gatewayId,
        sequence: header.sequence,
        previousBatchHash: hexlify(header.previousBatchHash),
        readingsRoot: hexlify(header.readingsRoot),
        dataClass: header.dataClass,
        readingCount: header.readingCount,
        firstGatewaySeq: header.firstGatewaySeq,
        lastGatewaySeq: header.lastGatewaySeq,
        sealedAtMs: header.sealedAtMs,
      });
    const headers: Batch[] = [
      batch,
      { ...batch, gatewayId: wallet.address.toLowerCase() },
      {
        ...batch,
        sequence: Number.MAX_SAFE_INTEGER,
        previousBatchHash: new Uint8Array(32).fill(0xff),
        dataClass: 2 ** 32 - 1,
        readingCount: 372,
        firstGatewaySeq: 2 ** 32,
        lastGatewaySeq: 2 ** 40 + 5,
        sealedAtMs: 0,
      },
    ];
    for (const header of headers) expect(hexlify(batchHash(header))).toBe(typedDigest(header));
    const refused: Batch[] = [
      { ...batch, sequence: -1 },
      { ...batch, sequence: 1.5 },
      { ...batch, dataClass: 2 ** 32 },
      { ...batch, sealedAtMs: 2 ** 60 },
      { ...batch, readingsRoot: new Uint8Array(31) },
      { ...batch, gatewayId: "0x1234" },
      { ...batch, gatewayId: wallet.address.replace(/[a-f]/, (c) => c.toUpperCase()) },
    ];
    for (const header of refused) {
      expect(() => typedDigest(header)).toThrow();
      expect(() => batchHash(header)).toThrow();
    }
  });
});
