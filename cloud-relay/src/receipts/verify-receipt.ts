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

/** The links of a receipt's chain of evidence, in the order they are checked, and what each establishes. */
export const RECEIPT_LINKS = {
  batch_signature: "the gateway signed the batch header",
  reading_in_batch: "the reading (value, receive time, anomaly flag, details) is in the batch's root",
  batch_in_anchor: "the batch's root is in the anchored root",
  batch_proof:
    "the batch's zero-knowledge proof: its reading count, anomaly count, time window, every value within its stream's bounds",
  chain: "the RPC endpoint serves the receipt's chain",
  root_anchored: "the anchor contract recorded the anchored root",
  transaction: "the receipt's transaction anchored that root",
} as const;
export type ReceiptLink = keyof typeof RECEIPT_LINKS;

/**
 * "verified": every link holds, the batch's proof included. "not_proven": every link the
 * receipt carries holds, but it carries no proof of its batch's claims (the proof may still be
 * pending at the relay), so what only the proof establishes was not checked.
 */
export type ReceiptVerdict = "verified" | "not_proven";

export interface VerifiedReceipt {
  verdict: ReceiptVerdict;
  /** The links that hold, in the order checked. */
  checked: ReceiptLink[];
  /** The links that could not be checked: the proof's, for a receipt without one. */
  unchecked: ReceiptLink[];
  gatewayId: string;
  /** What the batch's zero-knowledge proof establishes; undefined when not proven. */
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
 * the batch's proof verifies for that root; the anchor contract on `provider`'s chain recorded
 * that root, in the receipt's transaction. Throws a ReceiptVerificationError naming the first
 * link that fails. A receipt without a proof is "not_proven", never "verified".
 */
export async function verifyReceipt(receipt: Receipt, provider: Provider, contractAddress: string): Promise<VerifiedReceipt> {
  const hasher = await loadPoseidon();
  const { batch, anchor } = receipt;
  const checked: ReceiptLink[] = [];

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
  checked.push("batch_signature");

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
  checked.push("reading_in_batch");

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

  checked.push("batch_in_anchor");

  const provenClaims = receipt.proof && (await checkProof(receipt.proof, batchRoot, getAddress(batch.gatewayId)));
  if (provenClaims) checked.push("batch_proof");

  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== anchor.chainId) {
    throw new ReceiptVerificationError(
      "wrong_chain",
      `the RPC endpoint serves chain ${chainId}, the receipt names chain ${anchor.chainId}`,
    );
  }
  checked.push("chain");
  const contract = getAddress(contractAddress);
  if (getAddress(anchor.contract) !== contract) {
    throw new ReceiptVerificationError(
      "root_not_anchored",
      `the receipt names anchor contract ${anchor.contract}, not the deployment's ${contract}`,
    );
  }
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
  checked.push("root_anchored");

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
  checked.push("transaction");
  return {
    verdict: provenClaims ? "verified" : "not_proven",
    checked,
    unchecked: provenClaims ? [] : ["batch_proof"],
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
