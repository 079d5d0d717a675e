import {
  batchClaims,
  bytes32ToField,
  CircuitsError,
  loadPoseidon,
  loadVerificationKey,
  rootFromPath,
  verifyBatchProof,
  verifyReadingInclusion,
  type BatchClaims,
  type Groth16Proof,
  type ReadingInclusion,
} from "@intelledger/circuits";
import { dataAnchorInterface } from "@intelledger/contracts";
import { batchHeaderFromJson, recoverBatchSigner } from "@intelledger/proto/relay";
import { getAddress, getBytes, type Provider } from "ethers";
import { RelayError } from "../errors.js";
import type { Receipt } from "./receipt-format.js";

/** Which link of a receipt's chain of evidence does not hold. */
export type ReceiptFailure =
  | "batch_signature"
  | "proof_invalid"
  | "reading_not_in_batch"
  | "batch_not_in_anchor"
  | "wrong_chain"
  | "root_not_anchored"
  | "transaction_mismatch";

export class ReceiptVerificationError extends RelayError {
  readonly failure: ReceiptFailure;

  constructor(failure: ReceiptFailure, message: string, options?: { cause?: unknown }) {
    super("failed_precondition", message, { failure }, options);
    this.failure = failure;
  }
}

export interface VerifiedReceipt {
  gatewayId: string;
  /** What the batch's zero-knowledge proof establishes, when the receipt carries one. */
  provenClaims: BatchClaims | undefined;
  anchoredRoot: string;
  transactionHash: string;
  blockNumber: number;
  /** When the block holding the anchor was made, seconds since the Unix epoch. */
  anchoredAtSec: number;
}

function inclusionOf(receipt: Receipt): ReadingInclusion {
  const { inclusion } = receipt;
  return {
    index: inclusion.index,
    words: inclusion.words.map(BigInt),
    streams: inclusion.streams,
    streamIndex: inclusion.streamIndex,
    codeOffset: inclusion.codeOffset,
    detailsPath: inclusion.detailsPath.map((node) => Buffer.from(getBytes(node))),
    header: {
      ...inclusion.header,
      detailsRoot: BigInt(inclusion.header.detailsRoot),
      streamsHash: BigInt(inclusion.header.streamsHash),
      gatewayId: BigInt(inclusion.header.gatewayId),
    },
  };
}

/**
 * Checks a receipt link by link, trusting nothing but the chain: the gateway signed the
 * batch header; the reading is in the batch's root; the batch root is in the anchored root;
 * the anchor contract on `provider`'s chain recorded that root, in the receipt's
 * transaction. Throws a ReceiptVerificationError naming the first link that fails.
 */
export async function verifyReceipt(receipt: Receipt, provider: Provider, contractAddress: string): Promise<VerifiedReceipt> {
  const hasher = await loadPoseidon();
  const { batch, anchor } = receipt;

  let signer: string;
  try {
    signer = recoverBatchSigner(batchHeaderFromJson(batch), getBytes(batch.signature));
  } catch (cause) {
    throw new ReceiptVerificationError("batch_signature", "the batch signature is malformed", { cause });
  }
  if (signer !== getAddress(batch.gatewayId)) {
    throw new ReceiptVerificationError(
      "batch_signature",
      `the batch header is not signed by gateway ${batch.gatewayId} (signer ${signer})`,
    );
  }

  const batchRoot = bytes32ToField(getBytes(batch.readingsRoot));
  try {
    verifyReadingInclusion(
      hasher,
      { ...receipt.reading, frameCounter: BigInt(receipt.reading.frameCounter) },
      inclusionOf(receipt),
      batchRoot,
    );
  } catch (cause) {
    const detail = cause instanceof CircuitsError ? cause.message : String(cause);
    throw new ReceiptVerificationError("reading_not_in_batch", `the reading is not in its batch: ${detail}`, { cause });
  }

  let folded: bigint;
  try {
    folded = rootFromPath(hasher, batchRoot, {
      leafIndex: anchor.leafIndex,
      siblings: anchor.siblings.map((node) => bytes32ToField(getBytes(node))),
    });
  } catch (cause) {
    throw new ReceiptVerificationError("batch_not_in_anchor", `the anchor path is malformed: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (folded !== bytes32ToField(getBytes(anchor.root))) {
    throw new ReceiptVerificationError("batch_not_in_anchor", "the batch root does not lead to the anchored root");
  }

  const provenClaims = receipt.proof && (await checkProof(receipt.proof, batchRoot, getAddress(batch.gatewayId)));

  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== anchor.chainId) {
    throw new ReceiptVerificationError(
      "wrong_chain",
      `the RPC endpoint serves chain ${chainId}, the receipt names chain ${anchor.chainId}`,
    );
  }
  const contract = getAddress(contractAddress);
  if ((await provider.getCode(contract)) === "0x") {
    throw new ReceiptVerificationError("root_not_anchored", `there is no contract at ${contract} on chain ${chainId}`);
  }
  const [record] = dataAnchorInterface.decodeFunctionResult(
    "anchorOf",
    await provider.call({ to: contract, data: dataAnchorInterface.encodeFunctionData("anchorOf", [anchor.root]) }),
  ) as unknown as [{ blockNumber: bigint; timestamp: bigint }];
  if (record.blockNumber === 0n) {
    throw new ReceiptVerificationError("root_not_anchored", `contract ${contract} has no record of root ${anchor.root}`);
  }
  if (Number(record.blockNumber) !== anchor.blockNumber) {
    throw new ReceiptVerificationError(
      "root_not_anchored",
      `the root was anchored in block ${record.blockNumber}, not ${anchor.blockNumber}`,
    );
  }

  const transaction = await provider.getTransactionReceipt(anchor.transactionHash);
  const anchoredHere = transaction?.logs.some((log) => {
    if (getAddress(log.address) !== contract) return false;
    const parsed = dataAnchorInterface.parseLog(log);
    return parsed?.name === "RootAnchored" && String(parsed.args[0]).toLowerCase() === anchor.root.toLowerCase();
  });
  if (!transaction || transaction.status !== 1 || transaction.blockNumber !== anchor.blockNumber || !anchoredHere) {
    throw new ReceiptVerificationError(
      "transaction_mismatch",
      `transaction ${anchor.transactionHash} did not anchor this root in block ${anchor.blockNumber}`,
    );
  }
  return {
    gatewayId: signer,
    provenClaims,
    anchoredRoot: anchor.root,
    transactionHash: anchor.transactionHash,
    blockNumber: anchor.blockNumber,
    anchoredAtSec: Number(record.timestamp),
  };
}

/** The proof must verify under the pinned verification key, for this batch's root and gateway. */
async function checkProof(proof: NonNullable<Receipt["proof"]>, batchRoot: bigint, gatewayId: string): Promise<BatchClaims> {
  let claims: BatchClaims;
  try {
    claims = batchClaims(proof.publicSignals);
  } catch (cause) {
    throw new ReceiptVerificationError("proof_invalid", "the proof's public signals are malformed", { cause });
  }
  if (claims.batchRoot !== batchRoot || claims.gatewayId !== gatewayId) {
    throw new ReceiptVerificationError("proof_invalid", "the proof is about another batch than the reading's");
  }
  let groth16: Groth16Proof;
  try {
    groth16 = JSON.parse(proof.groth16) as Groth16Proof;
  } catch (cause) {
    throw new ReceiptVerificationError("proof_invalid", "the proof is not JSON", { cause });
  }
  if (!(await verifyBatchProof(loadVerificationKey(), groth16, proof.publicSignals))) {
    throw new ReceiptVerificationError("proof_invalid", "the batch proof does not verify");
  }
  return claims;
}
