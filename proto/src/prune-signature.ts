import { getBytes, hexlify, verifyTypedData, type Signer } from "ethers";
import { BATCH_SIGNING_DOMAIN } from "./batch-hash.js";
import type { Pruned } from "./gen/intelledger/relay/v1/relay.js";

/**
 * A gateway that prunes a sealed batch to make room signs what it did (EIP-712, same
 * domain as batches), so the relay can record the gap as the gateway's own statement.
 */
export const PRUNE_SIGNING_TYPES = {
  Prune: [
    { name: "batchHash", type: "bytes32" },
    { name: "reason", type: "uint8" },
    { name: "prunedAtMs", type: "uint64" },
    { name: "rollups", type: "Rollup[]" },
  ],
  Rollup: [
    { name: "deviceId", type: "string" },
    { name: "channel", type: "uint8" },
    { name: "channelIndex", type: "uint32" },
    { name: "scale", type: "uint32" },
    { name: "count", type: "uint32" },
    { name: "min", type: "int64" },
    { name: "max", type: "int64" },
    { name: "sum", type: "int64" },
    { name: "firstSampledAtMs", type: "uint64" },
    { name: "lastSampledAtMs", type: "uint64" },
    { name: "firstFrameCounter", type: "uint64" },
    { name: "lastFrameCounter", type: "uint64" },
  ],
};

function pruneMessage(batchHash: Uint8Array, pruned: Pruned) {
  return { batchHash: hexlify(batchHash), reason: pruned.reason, prunedAtMs: pruned.prunedAtMs, rollups: pruned.rollups };
}

export async function signPrune(signer: Signer, batchHash: Uint8Array, pruned: Pruned): Promise<Uint8Array> {
  return getBytes(await signer.signTypedData(BATCH_SIGNING_DOMAIN, PRUNE_SIGNING_TYPES, pruneMessage(batchHash, pruned)));
}

/** The address that signed the prune record of the batch with `batchHash`. */
export function recoverPruneSigner(batchHash: Uint8Array, pruned: Pruned, signature: Uint8Array): string {
  return verifyTypedData(BATCH_SIGNING_DOMAIN, PRUNE_SIGNING_TYPES, pruneMessage(batchHash, pruned), hexlify(signature));
}
