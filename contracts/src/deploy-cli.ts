// Deploys the contracts (batch verifier, GatewayRegistry and DataAnchor behind proxies) and
// prints where they landed as JSON on stdout:
//   DEPLOYER_PRIVATE_KEY=0x… tsx src/deploy-cli.ts --rpc-url https://… --anchorer 0x…
//   tsx src/deploy-cli.ts --dev-chain        (starts a dev chain, deploys, runs until Ctrl-C)
// The key comes from the environment only, so it never shows in shell history or `ps`.
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet, getAddress, isAddress } from "ethers";
import { sendAndWait } from "./contract-calls.js";
import { deployEdgeContracts } from "./deploy-data-anchor.js";
import { startDevChain, type DevChain } from "./dev-chain.js";
import { gatewayRegistryAbi } from "./generated/gateway-registry-artifact.js";
import { abiAddress, TypedContract } from "./typed-contract.js";

const USAGE = `usage: DEPLOYER_PRIVATE_KEY=0x… deploy-cli --rpc-url <url> --anchorer <address> [--admin <address>] [--gateway <address>]…
       deploy-cli --dev-chain [--anchorer <address>] [--gateway <address>]…

Deploys the batch proof verifier, the GatewayRegistry and the DataAnchor (both behind UUPS
proxies). The admin (the deployer by default) manages roles and upgrades; --anchorer is the
relay's account, allowed to anchor roots; each --gateway is registered right away (by the
deployer, which must then be the admin). --dev-chain starts a local dev chain, deploys with its
first test account (anchorer: the second, unless given) and keeps the chain running until Ctrl-C.
Prints {"chainId","rpcUrl","dataAnchor","registry","batchVerifier","disclosureVerifier","implementations","admin","anchorer","gateways","blockNumber"}.`;

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "rpc-url": { type: "string" },
      "dev-chain": { type: "boolean" },
      anchorer: { type: "string" },
      admin: { type: "string" },
      gateway: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const gateways = values.gateway ?? [];
  for (const [option, address] of [
    ["--anchorer", values.anchorer],
    ["--admin", values.admin],
    ...gateways.map((gateway) => ["--gateway", gateway] as const),
  ] as const) {
    if (address !== undefined && !isAddress(address)) throw new UsageError(`${option} must be an address`);
  }

  let chain: DevChain | undefined;
  let rpcUrl: string;
  let privateKey: string;
  let anchorer = values.anchorer;
  if (values["dev-chain"] === true) {
    if (values["rpc-url"] !== undefined) throw new UsageError("--dev-chain and --rpc-url exclude each other");
    chain = await startDevChain();
    rpcUrl = chain.rpcUrl;
    privateKey = chain.accounts[0] ?? "";
    anchorer ??= new Wallet(chain.accounts[1] ?? "").address;
  } else {
    if (values["rpc-url"] === undefined) throw new UsageError("--rpc-url or --dev-chain is required");
    if (anchorer === undefined) throw new UsageError("--anchorer must be an address");
    const key = process.env["DEPLOYER_PRIVATE_KEY"];
    if (key === undefined || key === "") throw new UsageError("DEPLOYER_PRIVATE_KEY is not set");
    rpcUrl = values["rpc-url"];
    privateKey = key;
  }

  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const deployer = new Wallet(privateKey, provider);
    const { chainId } = await provider.getNetwork();
    const options = values.admin === undefined ? { anchorer } : { anchorer, admin: values.admin };
    const deployment = await deployEdgeContracts(deployer, options);
    const registry = new TypedContract(deployment.registry, gatewayRegistryAbi, deployer);
    for (const gateway of gateways) await sendAndWait(registry, "registerGateway", [abiAddress(gateway)]);
    console.log(
      JSON.stringify({
        chainId: Number(chainId),
        rpcUrl,
        dataAnchor: deployment.address,
        registry: deployment.registry,
        batchVerifier: deployment.batchVerifier,
        disclosureVerifier: deployment.disclosureVerifier,
        implementations: deployment.implementations,
        admin: getAddress(values.admin ?? deployer.address),
        anchorer: getAddress(anchorer),
        gateways: gateways.map((gateway) => getAddress(gateway)),
        blockNumber: deployment.blockNumber,
      }),
    );
  } finally {
    provider.destroy();
  }
  if (chain !== undefined) {
    const running = chain;
    console.error("dev chain running; Ctrl-C stops it");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await running.stop();
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
