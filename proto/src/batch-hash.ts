import { TypedDataEncoder, getBytes, hexlify, verifyTypedData, type Signer } from "ethers";
import type { Batch } from "./gen/intelledger/relay/v1/relay.js";

/**
 * A batch header is signed as EIP-712 typed data so the relay and the on-chain
 * registry check the same signature. The readings are covered through their root.
 */
export const BATCH_SIGNING_DOMAIN = { name: "IntelLedger Edge", version: "1" } as const;

export const BATCH_SIGNING_TYPES = {
  Batch: [
    { name: "gateway", type: "address" },
    { name: "sequence", type: "uint64" },
    { name: "previousBatchHash", type: "bytes32" },
    { name: "readingsRoot", type: "bytes32" },
    { name: "dataClass", type: "uint32" },
    { name: "readingCount", type: "uint32" },
    { name: "firstGatewaySeq", type: "uint64" },
    { name: "lastGatewaySeq", type: "uint64" },
    { name: "sealedAtMs", type: "uint64" },
  ],
};

export const ZERO_BATCH_HASH = new Uint8Array(32);

/** The signed part of a batch: everything but the readings, which the root covers. */
function header(batch: Batch) {
  return {
    gateway: batch.gatewayId,
    sequence: batch.sequence,
    previousBatchHash: hexlify(batch.previousBatchHash),
    readingsRoot: hexlify(batch.readingsRoot),
    dataClass: batch.dataClass,
    readingCount: batch.readingCount,
    firstGatewaySeq: batch.firstGatewaySeq,
    lastGatewaySeq: batch.lastGatewaySeq,
    sealedAtMs: batch.sealedAtMs,
  };
}

/** The batch's id: the EIP-712 digest of its header, which the gateway signs and the next batch links to. */
export function batchHash(batch: Batch): Uint8Array {
  return getBytes(TypedDataEncoder.hash(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, header(batch)));
}

export async function signBatch(signer: Signer, batch: Batch): Promise<Uint8Array> {
  return getBytes(await signer.signTypedData(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, header(batch)));
}

/** The address that signed the batch header (compare it with batch.gatewayId). */
export function recoverBatchSigner(batch: Batch, signature: Uint8Array): string {
  return verifyTypedData(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, header(batch), hexlify(signature));
}
