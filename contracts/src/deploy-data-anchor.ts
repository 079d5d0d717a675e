import { ContractFactory, getAddress, isAddress, type Signer } from "ethers";
import { ContractsError } from "./errors.js";
import { dataAnchorAbi, dataAnchorBytecode } from "./generated/data-anchor-artifact.js";

/** Where a contract landed. */
export interface Deployment {
  /** Checksummed contract address. */
  readonly address: string;
  /** Block that holds the deployment transaction. */
  readonly blockNumber: number;
}

/**
 * Deploys DataAnchor from `deployer` (who becomes its owner) with `anchorer` allowed to anchor
 * roots, and waits until the deployment is mined.
 */
export async function deployDataAnchor(deployer: Signer, anchorer: string): Promise<Deployment> {
  if (!isAddress(anchorer)) throw new ContractsError("anchorer is not an address", { anchorer });
  const factory = new ContractFactory(dataAnchorAbi, dataAnchorBytecode, deployer);
  const contract = await factory.deploy(getAddress(anchorer));
  const transaction = contract.deploymentTransaction();
  const receipt = await transaction?.wait();
  if (receipt === null || receipt === undefined || receipt.contractAddress === null) {
    throw new ContractsError("DataAnchor deployment was not mined", { hash: transaction?.hash });
  }
  return { address: getAddress(receipt.contractAddress), blockNumber: receipt.blockNumber };
}
