// Deploys DataAnchor to any JSON-RPC endpoint and prints where it landed as JSON on stdout.
//   DEPLOYER_PRIVATE_KEY=0x… tsx src/deploy-cli.ts --rpc-url https://… --anchorer 0x…
// The key comes from the environment only, so it never shows in shell history or `ps`.
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet, getAddress, isAddress } from "ethers";
import { deployDataAnchor } from "./deploy-data-anchor.js";

const USAGE = `usage: DEPLOYER_PRIVATE_KEY=0x… deploy-cli --rpc-url <url> --anchorer <address>

Deploys DataAnchor. The deployer becomes its owner; --anchorer is the account (the relay's)
allowed to anchor roots. Prints {"contract","address","blockNumber","chainId","owner","anchorer"}.`;

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "rpc-url": { type: "string" },
      anchorer: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const rpcUrl = values["rpc-url"];
  const anchorer = values.anchorer;
  const privateKey = process.env["DEPLOYER_PRIVATE_KEY"];
  if (rpcUrl === undefined) throw new UsageError("--rpc-url is required");
  if (anchorer === undefined || !isAddress(anchorer)) throw new UsageError("--anchorer must be an address");
  if (privateKey === undefined || privateKey === "") throw new UsageError("DEPLOYER_PRIVATE_KEY is not set");

  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  try {
    const deployer = new Wallet(privateKey, provider);
    const { chainId } = await provider.getNetwork();
    const deployment = await deployDataAnchor(deployer, anchorer);
    console.log(
      JSON.stringify({
        contract: "DataAnchor",
        address: deployment.address,
        blockNumber: deployment.blockNumber,
        chainId: Number(chainId),
        owner: deployer.address,
        anchorer: getAddress(anchorer),
      }),
    );
  } finally {
    provider.destroy();
  }
}

main().catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
  ) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
