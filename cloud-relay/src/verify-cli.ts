// The `verify` command: checks a reading's receipt against the chain, given only an RPC
// endpoint and the anchor contract's address. Exit codes: 0 verified, every link and the
// batch's proof; 1 a link of the receipt does not hold (the reason is printed); 2 usage or
// unreadable input; 3 not proven: every link the receipt carries holds, but it has no proof.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { releaseSnarkThreads } from "@intelledger/circuits";
import { JsonRpcProvider } from "ethers";
import { z } from "zod";
import { receiptSchema, type Receipt } from "./receipts/receipt-format.js";
import {
  RECEIPT_LINKS,
  ReceiptVerificationError,
  verifyReceipt,
  type ReceiptLink,
  type VerifiedReceipt,
} from "./receipts/verify-receipt.js";

const USAGE = "usage: verify --receipt <file.json | -> --rpc-url <url> --contract <address>";
const EXIT_NOT_VERIFIED = 1;
const EXIT_NOT_PROVEN = 3;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const describeLinks = (links: readonly ReceiptLink[]) => links.map((link) => `  - ${RECEIPT_LINKS[link]}`).join("\n");
const isoSecond = (second: number) => new Date(second * 1000).toISOString();

/** What the command prints for a receipt whose every link held. */
function report(receipt: Receipt, verified: VerifiedReceipt): string[] {
  const where =
    `reading ${receipt.reading.gatewaySeq} of device ${receipt.reading.deviceId} (gateway ${verified.gatewayId}) ` +
    `is in root ${verified.anchoredRoot}, anchored in block ${verified.blockNumber} ` +
    `(${isoSecond(verified.anchoredAtSec)}) by transaction ${verified.transactionHash}`;
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
  options: { receipt: { type: "string" }, "rpc-url": { type: "string" }, contract: { type: "string" } },
});
const receiptPath = values.receipt ?? usage("--receipt is required");
const rpcUrl = values["rpc-url"] ?? usage("--rpc-url is required");
const contract = values.contract ?? usage("--contract is required");

let parsed: Receipt;
try {
  const result = receiptSchema.safeParse(JSON.parse(readFileSync(receiptPath === "-" ? 0 : receiptPath, "utf8")));
  if (!result.success) usage(`the receipt is not well formed:\n${z.prettifyError(result.error)}`);
  parsed = result.data;
} catch (error) {
  usage(`cannot read the receipt: ${(error as Error).message}`);
}

const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: false });
try {
  const verified = await verifyReceipt(parsed, provider, contract);
  console.log(report(parsed, verified).join("\n"));
  if (verified.verdict === "not_proven") process.exitCode = EXIT_NOT_PROVEN;
} catch (error) {
  if (!(error instanceof ReceiptVerificationError)) {
    console.error(`could not verify: ${(error as Error).message}`);
    process.exitCode = 2;
  } else {
    console.error(`NOT VERIFIED (${error.failure}): ${error.message}`);
    process.exitCode = EXIT_NOT_VERIFIED;
  }
} finally {
  provider.destroy();
  // snarkjs keeps curve worker threads after verifying a proof; the command must still end.
  await releaseSnarkThreads();
}
