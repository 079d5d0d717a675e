import { parseOrThrow } from "@intelledger/service-kit";
import { readFileSync } from "node:fs";
import {
  committedKeyTrust,
  deploymentSchema,
  receiptSchema,
  ReceiptVerificationError,
  verifyReceipt,
  type ReceiptFailure,
} from "@intelledger/verify";
import { JsonRpcProvider, Network } from "ethers";
import { ConflictError, GatewayError, UpstreamError } from "../errors.js";
import type { ReceiptCheckView } from "../http/api-views.js";
import { receiptLinks, type ReceiptLinkCheck } from "./receipt-links.js";

/** What the configuration's `chain` section says a verifier trusts. */
export interface ChainSettings {
  rpcUrl: string;
  deploymentFile: string;
  minConfirmations: number;
  allowDevelopmentKey: boolean;
}

export interface ReceiptCheck extends ReceiptCheckView {
  links: ReceiptLinkCheck[];
  failure?: ReceiptFailure;
}

/** A chain that does not answer must not hold the request for ethers' five minutes. */
const CHAIN_TIMEOUT_MS = 60_000;
const CHAIN_ID_TIMEOUT_MS = 10_000;

/** The chain id the endpoint at `url` serves; a clear refusal when nothing answers there. */
async function chainIdAt(url: string): Promise<bigint> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(CHAIN_ID_TIMEOUT_MS),
    });
    const answer = (await response.json()) as { result?: unknown };
    if (typeof answer.result !== "string") {
      throw new GatewayError(`it answered ${response.status} without a chain id`, { status: response.status });
    }
    return BigInt(answer.result);
  } catch (error) {
    throw new UpstreamError(
      `the receipt could not be checked against the chain at ${url} (${(error as Error).message}): check the RPC URL`,
    );
  }
}

function readDeployment(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConflictError(`chain.deploymentFile ${file} cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConflictError(`chain.deploymentFile ${file} is not JSON`);
  }
  return parseOrThrow(
    deploymentSchema,
    json,
    (problems) => new ConflictError(`chain.deploymentFile ${file} is not a published deployment:\n${problems}`),
  );
}

/** The chain settings, or a refusal saying which to set. */
export function requireChain(chain: ChainSettings | undefined): ChainSettings {
  if (!chain) {
    throw new ConflictError(
      "the gateway does not know the chain its relay anchors on: set chain.rpcUrl and chain.deploymentFile in the configuration",
    );
  }
  return chain;
}

/**
 * Checks a receipt against the chain at `rpcUrl`, trusting the deployment the configuration
 * names, and answers every link with its result: the links checked before a failure hold,
 * the failing one says why, the ones after it were not checked.
 */
export async function checkReceipt(
  receiptJson: unknown,
  chain: ChainSettings | undefined,
  rpcUrl?: string,
): Promise<ReceiptCheck> {
  const settings = requireChain(chain);
  const receipt = parseOrThrow(
    receiptSchema,
    receiptJson,
    (problems) => new GatewayError(`the relay's receipt is malformed:\n${problems}`),
  );
  const deployment = readDeployment(settings.deploymentFile);
  const trust = committedKeyTrust({
    chainId: deployment.chainId,
    deployment,
    minConfirmations: settings.minConfirmations,
    allowDevelopmentKey: settings.allowDevelopmentKey,
  });
  const url = rpcUrl ?? settings.rpcUrl;
  const provider = new JsonRpcProvider(url, Network.from(await chainIdAt(url)), { staticNetwork: true, batchMaxCount: 1 });
  try {
    let timer: NodeJS.Timeout | undefined;
    const verified = await Promise.race([
      verifyReceipt(receipt, provider, trust),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new GatewayError(`no answer within ${CHAIN_TIMEOUT_MS / 1000} s`)), CHAIN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    return {
      verdict: verified.verdict,
      rpcUrl: url,
      links: receiptLinks(verified, receipt.proof !== undefined),
      anchor: {
        transactionHash: verified.transactionHash,
        blockNumber: verified.blockNumber,
        confirmations: verified.confirmations,
        anchorer: verified.anchorer,
        anchoredAtSec: verified.anchoredAtSec,
      },
    };
  } catch (error) {
    if (!(error instanceof ReceiptVerificationError)) {
      throw new UpstreamError(
        `the receipt could not be checked against the chain at ${url} (${(error as Error).message}): check the RPC URL`,
      );
    }
    return {
      verdict: "failed",
      rpcUrl: url,
      failure: error.failure,
      links: receiptLinks({ failure: error.failure, message: error.message }, receipt.proof !== undefined),
    };
  } finally {
    provider.destroy();
  }
}
