// The `verify` command: checks a reading's receipt against the chain, given only an RPC
// endpoint and the anchor contract's address. Exit codes: 0 verified, 1 a link of the
// receipt does not hold (the reason is printed), 2 usage or unreadable input.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { releaseSnarkThreads } from "@intelledger/circuits";
import { JsonRpcProvider } from "ethers";
import { z } from "zod";
import { receiptSchema } from "./receipts/receipt-format.js";
import { ReceiptVerificationError, verifyReceipt } from "./receipts/verify-receipt.js";

const USAGE = "usage: verify --receipt <file.json | -> --rpc-url <url> --contract <address>";

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { receipt: { type: "string" }, "rpc-url": { type: "string" }, contract: { type: "string" } },
});
const receiptPath = values.receipt ?? usage("--receipt is required");
const rpcUrl = values["rpc-url"] ?? usage("--rpc-url is required");
const contract = values.contract ?? usage("--contract is required");

let parsed: z.infer<typeof receiptSchema>;
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
  console.log(
    `verified: reading ${parsed.reading.gatewaySeq} of device ${parsed.reading.deviceId} (gateway ${verified.gatewayId}) ` +
      `is in root ${verified.anchoredRoot}, anchored in block ${verified.blockNumber} ` +
      `(${new Date(verified.anchoredAtSec * 1000).toISOString()}) by transaction ${verified.transactionHash}`,
  );
  if (parsed.reading.anomalous)
    console.log("the gateway flagged this reading anomalous; the flag is committed in its batch's claims");
  const claims = verified.provenClaims;
  if (claims) {
    console.log(
      `proven without revealing values: ${claims.readingCount} readings in the batch, ${claims.anomalyCount} anomalous, ` +
        `all received between ${new Date(claims.windowStartSec * 1000).toISOString()} and ${new Date(claims.windowEndSec * 1000).toISOString()}, ` +
        `every value within its stream's bounds`,
    );
  }
} catch (error) {
  if (!(error instanceof ReceiptVerificationError)) {
    console.error(`could not verify: ${(error as Error).message}`);
    process.exit(2);
  }
  console.error(`NOT VERIFIED (${error.failure}): ${error.message}`);
  process.exit(1);
} finally {
  provider.destroy();
  // snarkjs keeps curve worker threads after verifying a proof; the command must still end.
  await releaseSnarkThreads();
}
