import {
  batchClaims,
  bytes32ToField,
  loadPoseidon,
  rootFromPath,
  verifyBatchProof,
  type BatchClaims,
  type Groth16Proof,
  type Groth16VerificationKey,
} from "@intelledger/circuits/verify";
import {
  abiHex,
  dataAnchorAbi,
  TypedContract,
  type FunctionInputs,
  type FunctionOutputs,
  type ViewFunctionName,
} from "@intelledger/contracts/interfaces";
import { batchHeaderFromJson } from "@intelledger/proto/batch-header";
import { recoverBatchSigner } from "@intelledger/proto/batch-signature";
import { getAddress, getBytes, type Provider } from "ethers";
import { codeEncodesVerificationKey, heldAnchorerRole, wasActiveGateway, type ChainTrust } from "./chain-trust.js";
import { ReceiptVerificationError, type ReceiptFailure } from "./errors.js";
import { checkReadingInBatch } from "./reading-in-batch.js";
import type { Receipt } from "./receipt-format.js";

/** The links of a receipt's chain of evidence, in the order they are checked, and what each establishes. */
export const RECEIPT_LINKS = {
  chain: "the RPC endpoint and the receipt are on the deployment's chain",
  deployment: "the receipt's anchor contract is the deployment's, with the deployment's registry and batch verifier",
  batch_signature: "the gateway signed the batch header",
  reading_in_batch:
    "the reading (value, receive time, anomaly flag, details) is in the batch's root, its claims shown by its disclosure proof",
  batch_in_anchor: "the batch's root is in the anchored root",
  verification_key: "the verification keys are the ones the deployment's on-chain batch and disclosure verifiers encode",
  batch_proof:
    "the batch's zero-knowledge proof: its reading count, anomaly count, time window, every value within its stream's bounds",
  root_anchored: "the anchor contract recorded the anchored root",
  transaction: "the receipt's transaction anchored that root",
  anchorer: "the account that anchored it held the anchor contract's anchorer role then",
  gateway_registered: "the batch's signer was a registered, active gateway of the deployment's registry then",
  confirmations: "the anchor has the required confirmations",
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
  /** Blocks holding the anchor when checked, its own included. */
  confirmations: number;
  /** The account that anchored the root. */
  anchorer: string;
  /** When the block holding the anchor was made, seconds since the Unix epoch. */
  anchoredAtSec: number;
}

const fail = (failure: ReceiptFailure, message: string, cause?: unknown): never => {
  throw new ReceiptVerificationError(failure, message, cause === undefined ? undefined : { cause });
};

/**
 * Calls a view function of the anchor contract; a revert or garbage answer fails `failure`.
 * Generic in the ABI as well: with the ABI fixed, TypeScript does not match `read`'s argument and
 * result types for a generic name with the ones written here.
 */
function readAnchor<A extends typeof dataAnchorAbi, F extends ViewFunctionName<A>>(
  dataAnchor: TypedContract<A>,
  name: F,
  args: FunctionInputs<A, F>,
  failure: ReceiptFailure,
): Promise<FunctionOutputs<A, F>> {
  return dataAnchor
    .read(name, args)
    .catch((cause: unknown) =>
      fail(failure, `the anchor contract ${dataAnchor.address} does not answer ${name}: ${(cause as Error).message}`, cause),
    );
}

/**
 * Checks a receipt link by link (RECEIPT_LINKS), trusting nothing but the chain and the
 * published deployment `trust` names: the chain and the deployment hold; the gateway signed the
 * batch header; the reading is in the batch's root and the batch root in the anchored root; the
 * verification key is the on-chain verifier's and the batch's proof verifies under it for that
 * root; the deployment's anchor contract recorded the root in the receipt's transaction, sent by
 * an account that held the anchorer role, when the batch's signer was a registered, active
 * gateway; and enough blocks hold the anchor. Throws a ReceiptVerificationError naming the first
 * link that fails. A receipt without a proof is "not_proven", never "verified".
 */
export async function verifyReceipt(receipt: Receipt, provider: Provider, trust: ChainTrust): Promise<VerifiedReceipt> {
  const hasher = await loadPoseidon();
  const { batch, anchor } = receipt;
  const { deployment } = trust;
  const checked: ReceiptLink[] = [];

  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== trust.chainId || deployment.chainId !== trust.chainId || anchor.chainId !== trust.chainId) {
    fail(
      "wrong_chain",
      `the chain is ${trust.chainId}; the RPC endpoint serves chain ${chainId}, the deployment names ${deployment.chainId}, the receipt ${anchor.chainId}`,
    );
  }
  checked.push("chain");

  const contract = getAddress(deployment.dataAnchor);
  if (getAddress(anchor.contract) !== contract) {
    fail("deployment_mismatch", `the receipt names anchor contract ${anchor.contract}, not the deployment's ${contract}`);
  }
  if ((await provider.getCode(contract)) === "0x")
    fail("deployment_mismatch", `there is no contract at ${contract} on chain ${chainId}`);
  const dataAnchor = new TypedContract(contract, dataAnchorAbi, provider);
  for (const [name, expected] of [
    ["registry", deployment.registry],
    ["batchVerifier", deployment.batchVerifier],
  ] as const) {
    const [onChain] = await readAnchor(dataAnchor, name, [], "deployment_mismatch");
    if (onChain !== getAddress(expected)) {
      fail("deployment_mismatch", `the anchor contract's ${name} is ${onChain}, the deployment names ${expected}`);
    }
  }
  checked.push("deployment");

  let signer = "";
  try {
    signer = recoverBatchSigner(batchHeaderFromJson(batch), getBytes(batch.signature));
  } catch (cause) {
    fail("batch_signature", "the batch signature is malformed", cause);
  }
  if (signer !== getAddress(batch.gatewayId)) {
    fail("batch_signature", `the batch header is not signed by gateway ${batch.gatewayId} (signer ${signer})`);
  }
  checked.push("batch_signature");

  const batchRoot = bytes32ToField(getBytes(batch.readingsRoot));
  await checkReadingInBatch(hasher, receipt, batchRoot, trust.disclosureKey);
  checked.push("reading_in_batch");

  let folded = 0n;
  try {
    folded = rootFromPath(hasher, batchRoot, {
      leafIndex: anchor.leafIndex,
      siblings: anchor.siblings.map((node) => bytes32ToField(getBytes(node))),
    });
  } catch (cause) {
    fail("batch_not_in_anchor", `the anchor path is malformed: ${(cause as Error).message}`, cause);
  }
  if (folded !== bytes32ToField(getBytes(anchor.root)))
    fail("batch_not_in_anchor", "the batch root does not lead to the anchored root");
  checked.push("batch_in_anchor");

  if (trust.verificationKeyKind === "development" && !trust.allowDevelopmentKey) {
    fail(
      "development_key",
      "the verification key is a development key, made from public beacons: anyone can forge proofs for it (allow it for tests and demos only)",
    );
  }
  if (!codeEncodesVerificationKey(await provider.getCode(deployment.batchVerifier), trust.verificationKey)) {
    fail(
      "verification_key_mismatch",
      `the verification key is not the one the batch verifier ${deployment.batchVerifier} encodes`,
    );
  }
  if (
    receipt.version === 2 &&
    !codeEncodesVerificationKey(await provider.getCode(deployment.disclosureVerifier), trust.disclosureKey)
  ) {
    fail(
      "verification_key_mismatch",
      `the disclosure verification key is not the one the disclosure verifier ${deployment.disclosureVerifier} encodes`,
    );
  }
  checked.push("verification_key");

  const provenClaims = receipt.proof && (await checkProof(receipt.proof, batchRoot, signer, trust.verificationKey));
  if (provenClaims) checked.push("batch_proof");

  const anchoredRoot = abiHex(anchor.root);
  const [record] = await readAnchor(dataAnchor, "anchorOf", [anchoredRoot], "root_not_anchored");
  if (record.blockNumber === 0n) fail("root_not_anchored", `contract ${contract} has no record of root ${anchor.root}`);
  if (Number(record.blockNumber) !== anchor.blockNumber) {
    fail("root_not_anchored", `the root was anchored in block ${record.blockNumber}, not ${anchor.blockNumber}`);
  }
  checked.push("root_anchored");

  const transaction = await provider.getTransactionReceipt(anchor.transactionHash);
  const anchored = transaction?.logs
    .filter((log) => getAddress(log.address) === contract)
    .map((log) => dataAnchor.parseLog("RootAnchored", log))
    .find((args) => args?.root === anchoredRoot);
  if (!transaction || transaction.status !== 1 || transaction.blockNumber !== anchor.blockNumber || !anchored) {
    return fail(
      "transaction_mismatch",
      `transaction ${anchor.transactionHash} did not anchor this root in block ${anchor.blockNumber}`,
    );
  }
  checked.push("transaction");

  const { anchorer } = anchored;
  if (!(await heldAnchorerRole(dataAnchor, deployment, anchorer, anchor.blockNumber))) {
    fail("anchorer_not_authorized", `${anchorer} anchored the root without the anchorer role of ${contract}`);
  }
  checked.push("anchorer");

  if (!(await wasActiveGateway(provider, deployment, signer, anchor.blockNumber))) {
    fail(
      "gateway_not_registered",
      `the batch's signer ${signer} was not a registered, active gateway of registry ${deployment.registry} in block ${anchor.blockNumber}`,
    );
  }
  checked.push("gateway_registered");

  const confirmations = (await provider.getBlockNumber()) - anchor.blockNumber + 1;
  if (confirmations < trust.minConfirmations) {
    fail(
      "too_few_confirmations",
      `the anchor has ${confirmations} confirmations, fewer than the ${trust.minConfirmations} required`,
    );
  }
  checked.push("confirmations");

  return {
    verdict: provenClaims ? "verified" : "not_proven",
    checked,
    unchecked: provenClaims ? [] : ["batch_proof"],
    gatewayId: signer,
    provenClaims,
    anchoredRoot: anchor.root,
    transactionHash: anchor.transactionHash,
    blockNumber: anchor.blockNumber,
    confirmations,
    anchorer,
    anchoredAtSec: Number(record.timestamp),
  };
}

/** The proof must verify under the verification key, for this batch's root and gateway. */
async function checkProof(
  proof: NonNullable<Receipt["proof"]>,
  batchRoot: bigint,
  gatewayId: string,
  vkey: Groth16VerificationKey,
): Promise<BatchClaims> {
  let claims: BatchClaims | undefined;
  try {
    claims = batchClaims(proof.publicSignals);
  } catch (cause) {
    fail("proof_invalid", "the proof's public signals are malformed", cause);
  }
  if (!claims || claims.batchRoot !== batchRoot || claims.gatewayId !== gatewayId) {
    return fail("proof_invalid", "the proof is about another batch than the reading's");
  }
  let groth16: Groth16Proof | undefined;
  try {
    groth16 = JSON.parse(proof.groth16) as Groth16Proof;
  } catch (cause) {
    fail("proof_invalid", "the proof is not JSON", cause);
  }
  if (!groth16 || !(await verifyBatchProof(vkey, groth16, proof.publicSignals)))
    fail("proof_invalid", "the batch proof does not verify");
  return claims;
}
