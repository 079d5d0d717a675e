// The `verify` command: checks a reading's receipt against the chain, trusting only an RPC
// endpoint, the chain id and the published deployment. Exit codes: 0 verified, every link and
// the batch's proof; 1 a link of the receipt does not hold (the reason is printed); 2 usage or
// unreadable input; 3 not proven: every link the receipt carries holds, but it has no proof.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { releaseSnarkThreads } from "@intelledger/circuits/verify";
import { z } from "zod";
import { deploymentSchema, type ChainTrust } from "./chain-trust.js";
import { committedKeyTrust } from "./committed-key-trust.js";
import { receiptSchema, type Receipt } from "./receipt-format.js";
import { rpcProvider } from "./rpc-provider.js";
import { ReceiptVerificationError } from "./errors.js";
import { RECEIPT_LINKS, verifyReceipt, type ReceiptLink, type VerifiedReceipt } from "./verify-receipt.js";

const USAGE = `usage: verify --receipt <file.json | -> --rpc-url <url> --chain-id <id> --deployment <deployment.json>
              [--min-confirmations <n>] [--allow-dev-key]

--deployment is the published deployment (as contracts' deploy-cli prints it: chainId, dataAnchor,
registry, batchVerifier, disclosureVerifier, blockNumber). --min-confirmations: blocks that must
hold the anchor, its own included (12 by default). --allow-dev-key accepts proofs under the
development verification keys, whose toxic waste is public: for tests and demos only.`;
const DEFAULT_MIN_CONFIRMATIONS = 12;
const EXIT_NOT_VERIFIED = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_PROVEN = 3;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

/** Parses `file` as JSON with `schema`; a usage error names what is wrong. */
function readJson<T>(file: string, what: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
  } catch (error) {
    usage(`cannot read the ${what}: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) usage(`the ${what} is not well formed:\n${z.prettifyError(result.error)}`);
  return result.data;
}

const describeLinks = (links: readonly ReceiptLink[]) => links.map((link) => `  - ${RECEIPT_LINKS[link]}`).join("\n");
const isoSecond = (second: number) => new Date(second * 1000).toISOString();

/** What the command prints for a receipt whose every link held. */
function report(receipt: Receipt, verified: VerifiedReceipt): string[] {
  const where =
    `reading ${receipt.reading.gatewaySeq} of device ${receipt.reading.deviceId} (gateway ${verified.gatewayId}) ` +
    `is in root ${verified.anchoredRoot}, anchored in block ${verified.blockNumber} ` +
    `(${isoSecond(verified.anchoredAtSec)}, ${verified.confirmations} confirmations) by ${verified.anchorer} ` +
    `in transaction ${verified.transactionHash}`;
  const claims = verified.provenClaims;
  if (!claims) {
    const why =
      receipt.proofStatus === "pending"
        ? "the relay had not received the batch's proof when it made the receipt: fetch the receipt again later"
        : receipt.proofStatus === "invalid"
          ? "the proof the gateway sent for the batch did not verify at the relay"
          : "the receipt carries no proof of its batch";
    return [
      `NOT PROVEN (proof_missing): ${where}; but ${why}`,
      `checked:\n${describeLinks(verified.checked)}`,
      `not checked:\n${describeLinks(verified.unchecked)}`,
    ];
  }
  return [
    `verified: ${where}`,
    ...(receipt.reading.anomalous
      ? ["the gateway flagged this reading anomalous; the flag is committed in its batch's claims"]
      : []),
    `proven without revealing values: ${claims.readingCount} readings in the batch, ${claims.anomalyCount} anomalous, ` +
      `all received between ${isoSecond(claims.windowStartSec)} and ${isoSecond(claims.windowEndSec)}, ` +
      `every value within its stream's bounds`,
    `checked:\n${describeLinks(verified.checked)}`,
  ];
}

const { values } = parseArgs({
  options: {
    receipt: { type: "string" },
    "rpc-url": { type: "string" },
    "chain-id": { type: "string" },
    deployment: { type: "string" },
    "min-confirmations": { type: "string" },
    "allow-dev-key": { type: "boolean" },
  },
});
const wholeNumber = (option: string, text: string, least: number) =>
  /^\d+$/.test(text) && Number(text) >= least ? Number(text) : usage(`--${option} must be a whole number from ${least}`);
const receiptPath = values.receipt ?? usage("--receipt is required");
const rpcUrl = values["rpc-url"] ?? usage("--rpc-url is required");
const trust: ChainTrust = committedKeyTrust({
  chainId: wholeNumber("chain-id", values["chain-id"] ?? usage("--chain-id is required"), 1),
  deployment: readJson(values.deployment ?? usage("--deployment is required"), "deployment", deploymentSchema),
  minConfirmations: wholeNumber("min-confirmations", values["min-confirmations"] ?? String(DEFAULT_MIN_CONFIRMATIONS), 1),
  allowDevelopmentKey: values["allow-dev-key"] === true,
});
const receipt = readJson(receiptPath, "receipt", receiptSchema);

const provider = rpcProvider(rpcUrl);
try {
  const verified = await verifyReceipt(receipt, provider, trust);
  console.log(report(receipt, verified).join("\n"));
  if (verified.verdict === "not_proven") process.exitCode = EXIT_NOT_PROVEN;
} catch (error) {
  if (!(error instanceof ReceiptVerificationError)) {
    console.error(`could not verify: ${(error as Error).message}`);
    process.exitCode = EXIT_USAGE;
  } else {
    console.error(`NOT VERIFIED (${error.failure}): ${error.message}`);
    process.exitCode = EXIT_NOT_VERIFIED;
  }
} finally {
  provider.destroy();
  // snarkjs keeps curve worker threads after verifying a proof; the command must still end.
  await releaseSnarkThreads();
}
