import { deployDataAnchor, startDevChain, type DevChain } from "@intelledger/contracts";
import { JsonRpcProvider, Wallet } from "ethers";

export interface AnchoredDevChain {
  chain: DevChain;
  contractAddress: string;
  anchorerPrivateKey: string;
}

/** A dev chain with the anchor contract deployed, the relay's anchorer key funded. */
export async function startAnchoredDevChain(logFile?: string): Promise<AnchoredDevChain> {
  const chain = await startDevChain(logFile === undefined ? {} : { logFile });
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const [deployerKey, anchorerKey] = chain.accounts;
    if (!deployerKey || !anchorerKey) throw new Error("the dev chain has fewer than two funded accounts");
    const { address } = await deployDataAnchor(new Wallet(deployerKey, provider), new Wallet(anchorerKey).address);
    return { chain, contractAddress: address, anchorerPrivateKey: anchorerKey };
  } catch (error) {
    await chain.stop();
    throw error;
  } finally {
    provider.destroy();
  }
}
