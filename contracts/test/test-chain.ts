// A dev chain as the tests and benchmarks that talk to the contracts use it.
import { JsonRpcProvider, Wallet } from "ethers";
import { sendAndWait } from "../src/contract-calls.js";
import { deployDataAnchor, type Deployment } from "../src/deploy-data-anchor.js";
import { startDevChain, type DevChain } from "../src/dev-chain.js";
import { gatewayRegistryAbi } from "../src/generated/gateway-registry-artifact.js";
import { abiAddress, TypedContract } from "../src/typed-contract.js";

/** Wallets of the dev chain's funded accounts in their order: the tests name at most the first five. */
export type TestChainWallets = readonly [Wallet, Wallet, Wallet, Wallet, Wallet, ...Wallet[]];

/** A running dev chain with a provider on it and a wallet for each funded account. */
export interface TestChain extends DevChain {
  /** Caches nothing, so that each call sees the chain as the last transaction left it. */
  readonly provider: JsonRpcProvider;
  /** Connected to `provider`, in the order of `accounts`. */
  readonly wallets: TestChainWallets;
  /** Closes the provider, then stops the node. */
  stop(): Promise<void>;
}

/** Starts a dev chain for the tests of one file (or one benchmark run); `stop()` it once they are done. */
export async function startTestChain(): Promise<TestChain> {
  const chain = await startDevChain();
  const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true, cacheTimeout: -1 });
  const wallets = chain.accounts.map((key) => new Wallet(key, provider));
  if (!namesFive(wallets)) throw new Error(`the dev chain funds ${wallets.length} accounts, the tests name five`);
  return {
    ...chain,
    provider,
    wallets,
    stop: async () => {
      provider.destroy();
      await chain.stop();
    },
  };
}

/** A test chain with the edge contracts deployed: its first wallet is their admin, its second their anchorer. */
export interface DeployedTestChain extends TestChain {
  readonly deployment: Deployment;
  /** Registers each of `gateways` in the deployment's GatewayRegistry, as its admin. */
  registerGateways(...gateways: Wallet[]): Promise<void>;
}

/** Starts a test chain and deploys the edge contracts on it; `stop()` it once the tests are done. */
export async function startDeployedTestChain(): Promise<DeployedTestChain> {
  const chain = await startTestChain();
  try {
    const [admin, anchorer] = chain.wallets;
    const deployment = await deployDataAnchor(admin, anchorer.address);
    const registry = new TypedContract(deployment.registry, gatewayRegistryAbi, admin);
    return {
      ...chain,
      deployment,
      registerGateways: async (...gateways) => {
        for (const gateway of gateways) await sendAndWait(registry, "registerGateway", [abiAddress(gateway.address)]);
      },
    };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

function namesFive(wallets: readonly Wallet[]): wallets is TestChainWallets {
  return wallets.length >= 5;
}
