import type { PublishedDeployment } from "@intelledger/verify";
import {
  abiAddress,
  DEV_CHAIN_ID,
  deployDataAnchor,
  gatewayRegistryAbi,
  startDevChain,
  TypedContract,
  type DevChain,
} from "@intelledger/contracts";
import { JsonRpcProvider, Wallet } from "ethers";

export interface AnchoredDevChain {
  chain: DevChain;
  contractAddress: string;
  /** The deployment as deploy-cli publishes it: what a receipt's verifier trusts. */
  deployment: PublishedDeployment;
  anchorerPrivateKey: string;
  /** Registers a gateway in the registry, as the deployment's admin would (waits for the block). */
  registerGateway: (gatewayId: string) => Promise<void>;
}

/** A dev chain with the anchor contract deployed, the relay's anchorer key funded. */
export async function startAnchoredDevChain(logFile?: string): Promise<AnchoredDevChain> {
  const chain = await startDevChain(logFile === undefined ? {} : { logFile });
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const [deployerKey, anchorerKey] = chain.accounts;
    if (!deployerKey || !anchorerKey) throw new Error("the dev chain has fewer than two funded accounts");
    const deployed = await deployDataAnchor(new Wallet(deployerKey, provider), new Wallet(anchorerKey).address);
    const deployment = {
      chainId: DEV_CHAIN_ID,
      dataAnchor: deployed.address,
      registry: deployed.registry,
      batchVerifier: deployed.batchVerifier,
      disclosureVerifier: deployed.disclosureVerifier,
      blockNumber: deployed.blockNumber,
    };
    const registerGateway = async (gatewayId: string) => {
      const admin = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
      try {
        const registry = new TypedContract(deployed.registry, gatewayRegistryAbi, new Wallet(deployerKey, admin));
        await (await registry.send("registerGateway", [abiAddress(gatewayId)])).wait();
      } finally {
        admin.destroy();
      }
    };
    return { chain, contractAddress: deployed.address, deployment, anchorerPrivateKey: anchorerKey, registerGateway };
  } catch (error) {
    await chain.stop();
    throw error;
  } finally {
    provider.destroy();
  }
}
