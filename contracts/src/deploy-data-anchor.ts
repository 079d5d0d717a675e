import {
  Contract,
  ContractFactory,
  NonceManager,
  getAddress,
  isAddress,
  type BaseContract,
  type InterfaceAbi,
  type Signer,
} from "ethers";
import { ContractsError } from "./errors.js";
import { batchProofVerifierAbi, batchProofVerifierBytecode } from "./generated/batch-proof-verifier-artifact.js";
import { dataAnchorAbi, dataAnchorBytecode } from "./generated/data-anchor-artifact.js";
import { disclosureProofVerifierAbi, disclosureProofVerifierBytecode } from "./generated/disclosure-proof-verifier-artifact.js";
import { edgeProxyAbi, edgeProxyBytecode } from "./generated/edge-proxy-artifact.js";
import { gatewayRegistryAbi, gatewayRegistryBytecode } from "./generated/gateway-registry-artifact.js";

/** Where the contracts landed. */
export interface Deployment {
  /** Checksummed address of the DataAnchor proxy: the contract the relay anchors with. */
  readonly address: string;
  /** Block that holds the last deployment transaction. */
  readonly blockNumber: number;
  /** The GatewayRegistry proxy. */
  readonly registry: string;
  /** The batch circuit's Groth16 verifier. */
  readonly batchVerifier: string;
  /**
   * The reading disclosure circuit's Groth16 verifier: no contract calls it; it is deployed so
   * that a receipt's verifier can check the disclosure key against the chain, as the batch key.
   */
  readonly disclosureVerifier: string;
  /** The implementations behind the proxies, for upgrades and block explorers. */
  readonly implementations: { readonly dataAnchor: string; readonly registry: string };
}

export interface DeployOptions {
  /** The relay's account, allowed to anchor roots. */
  anchorer: string;
  /** Manages roles, the verifier and upgrades of both proxies; the deployer by default. */
  admin?: string;
}

async function deploy(
  deployer: Signer,
  name: string,
  abi: InterfaceAbi,
  bytecode: string,
  args: unknown[],
): Promise<{ address: string; blockNumber: number }> {
  const contract: BaseContract = await new ContractFactory(abi, bytecode, deployer).deploy(...args);
  const transaction = contract.deploymentTransaction();
  const receipt = await transaction?.wait();
  if (receipt === null || receipt === undefined || receipt.contractAddress === null) {
    throw new ContractsError(`${name} deployment was not mined`, { hash: transaction?.hash });
  }
  return { address: getAddress(receipt.contractAddress), blockNumber: receipt.blockNumber };
}

/**
 * Deploys the batch and disclosure verifiers, the GatewayRegistry and the DataAnchor (each upgradeable contract
 * as an implementation behind an initialized EdgeProxy), waiting for each transaction.
 */
export async function deployEdgeContracts(signer: Signer, options: DeployOptions): Promise<Deployment> {
  const admin = options.admin ?? (await signer.getAddress());
  for (const [role, address] of [
    ["anchorer", options.anchorer],
    ["admin", admin],
  ] as const) {
    if (!isAddress(address)) throw new ContractsError(`${role} is not an address`, { [role]: address });
  }
  // Six transactions in a row: count nonces here rather than trust a provider's cached count.
  const deployer = new NonceManager(signer);
  const verifier = await deploy(deployer, "BatchProofVerifier", batchProofVerifierAbi, batchProofVerifierBytecode, []);
  const disclosureVerifier = await deploy(
    deployer,
    "DisclosureProofVerifier",
    disclosureProofVerifierAbi,
    disclosureProofVerifierBytecode,
    [],
  );
  const registryImplementation = await deploy(deployer, "GatewayRegistry", gatewayRegistryAbi, gatewayRegistryBytecode, []);
  const registryInit = new Contract(registryImplementation.address, gatewayRegistryAbi).interface.encodeFunctionData(
    "initialize",
    [getAddress(admin)],
  );
  const registry = await deploy(deployer, "GatewayRegistry proxy", edgeProxyAbi, edgeProxyBytecode, [
    registryImplementation.address,
    registryInit,
  ]);
  const anchorImplementation = await deploy(deployer, "DataAnchor", dataAnchorAbi, dataAnchorBytecode, []);
  const anchorInit = new Contract(anchorImplementation.address, dataAnchorAbi).interface.encodeFunctionData("initialize", [
    getAddress(admin),
    getAddress(options.anchorer),
    registry.address,
    verifier.address,
  ]);
  const anchor = await deploy(deployer, "DataAnchor proxy", edgeProxyAbi, edgeProxyBytecode, [
    anchorImplementation.address,
    anchorInit,
  ]);
  return {
    address: anchor.address,
    blockNumber: anchor.blockNumber,
    registry: registry.address,
    batchVerifier: verifier.address,
    disclosureVerifier: disclosureVerifier.address,
    implementations: { dataAnchor: anchorImplementation.address, registry: registryImplementation.address },
  };
}

/**
 * Deploys the contracts with the deployer as admin and `anchorer` allowed to anchor roots;
 * `address` is the DataAnchor proxy.
 */
export function deployDataAnchor(deployer: Signer, anchorer: string): Promise<Deployment> {
  return deployEdgeContracts(deployer, { anchorer });
}
