import { TypedDataEncoder, getBytes, type Signer } from "ethers";
import { batchHeaderToJson, type BatchHeader } from "./batch-header.js";
import { recoverSignerAddress } from "./signer-recovery.js";

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

/** The header as the EIP-712 message: the fields of BATCH_SIGNING_TYPES, bytes as hex. */
function typedHeader(header: BatchHeader) {
  const { gatewayId, ...fields } = batchHeaderToJson(header);
  return { gateway: gatewayId, ...fields };
}

/** The batch's id: the EIP-712 digest of its header, which the gateway signs and the next batch links to. */
export function batchHash(header: BatchHeader): Uint8Array {
  return getBytes(TypedDataEncoder.hash(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, typedHeader(header)));
}

export async function signBatch(signer: Signer, header: BatchHeader): Promise<Uint8Array> {
  return getBytes(await signer.signTypedData(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, typedHeader(header)));
}

/** The address that signed the batch header (compare it with header.gatewayId). */
export function recoverBatchSigner(header: BatchHeader, signature: Uint8Array): string {
  return recoverSignerAddress(batchHash(header), signature);
}
