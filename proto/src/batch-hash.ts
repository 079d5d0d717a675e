import { TypedDataEncoder, getBytes, id, keccak256, type Signer } from "ethers";
import { batchHeaderToJson, type BatchHeader } from "./batch-header.js";
import { checksummedAddress } from "./checksummed-address.js";
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

const BATCH_TYPE_HASH = getBytes(id(TypedDataEncoder.from(BATCH_SIGNING_TYPES).encodeType("Batch")));
const DOMAIN_SEPARATOR = getBytes(TypedDataEncoder.hashDomain(BATCH_SIGNING_DOMAIN));

/**
 * The batch's id: the EIP-712 digest of its header, which the gateway signs and the next batch
 * links to. Encoded here field by field (what signTypedData hashes: a 32-byte word per field of
 * BATCH_SIGNING_TYPES, in order), as a relay hashes every batch it receives and the general
 * typed-data encoder costs many times more; refuses what the encoder would refuse.
 */
export function batchHash(header: BatchHeader): Uint8Array {
  const struct = new Uint8Array(32 * (1 + BATCH_SIGNING_TYPES.Batch.length));
  struct.set(BATCH_TYPE_HASH, 0);
  struct.set(getBytes(checksummedAddress(header.gatewayId)), 32 + 12);
  writeUint(struct, 64, header.sequence, 64, "sequence");
  struct.set(bytes32(header.previousBatchHash, "previousBatchHash"), 96);
  struct.set(bytes32(header.readingsRoot, "readingsRoot"), 128);
  writeUint(struct, 160, header.dataClass, 32, "dataClass");
  writeUint(struct, 192, header.readingCount, 32, "readingCount");
  writeUint(struct, 224, header.firstGatewaySeq, 64, "firstGatewaySeq");
  writeUint(struct, 256, header.lastGatewaySeq, 64, "lastGatewaySeq");
  writeUint(struct, 288, header.sealedAtMs, 64, "sealedAtMs");
  const digest = new Uint8Array(2 + 32 + 32);
  digest.set([0x19, 0x01], 0);
  digest.set(DOMAIN_SEPARATOR, 2);
  digest.set(getBytes(keccak256(struct)), 34);
  return getBytes(keccak256(digest));
}

/** A uint of `bits` bits as a big-endian 32-byte word; the typed-data encoder takes only safe integers as numbers. */
function writeUint(word: Uint8Array, offset: number, value: number, bits: 32 | 64, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`batch header ${field} ${value} is not a uint${bits}`);
  }
  const view = new DataView(word.buffer, word.byteOffset + offset, 32);
  view.setUint32(24, Math.floor(value / 2 ** 32));
  view.setUint32(28, value >>> 0);
}

function bytes32(value: Uint8Array, field: string): Uint8Array {
  if (value.length !== 32) throw new RangeError(`batch header ${field} is ${value.length} bytes, not 32`);
  return value;
}

export async function signBatch(signer: Signer, header: BatchHeader): Promise<Uint8Array> {
  return getBytes(await signer.signTypedData(BATCH_SIGNING_DOMAIN, BATCH_SIGNING_TYPES, typedHeader(header)));
}

/** The address that signed the batch header (compare it with header.gatewayId). */
export function recoverBatchSigner(header: BatchHeader, signature: Uint8Array): string {
  return recoverBatchHashSigner(batchHash(header), signature);
}

/** The address that signed the batch whose batchHash is `hash`, for a caller that needs the hash too. */
export function recoverBatchHashSigner(hash: Uint8Array, signature: Uint8Array): string {
  return recoverSignerAddress(hash, signature);
}
