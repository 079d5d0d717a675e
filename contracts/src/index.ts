// Everything the package offers in Node: what a browser may load too (./interfaces.ts), and the
// bytecode, deployment and dev chain.
export * from "./interfaces.js";
export { batchProofVerifierAbi, batchProofVerifierBytecode } from "./generated/batch-proof-verifier-artifact.js";
export { dataAnchorBytecode } from "./generated/data-anchor-artifact.js";
export { disclosureProofVerifierAbi, disclosureProofVerifierBytecode } from "./generated/disclosure-proof-verifier-artifact.js";
export { edgeProxyAbi, edgeProxyBytecode } from "./generated/edge-proxy-artifact.js";
export { gatewayRegistryBytecode } from "./generated/gateway-registry-artifact.js";
export { deployDataAnchor, deployEdgeContracts, type DeployOptions, type Deployment } from "./deploy-data-anchor.js";
export {
  batchProofCalldata,
  batchProofsCalldata,
  type BatchProofCalldata,
  type BatchProofsCalldata,
} from "./batch-proof-calldata.js";
export { startDevChain, type DevChain, type DevChainOptions } from "./dev-chain.js";
export { DEV_CHAIN_ID, DEV_CHAIN_MNEMONIC, devChainPrivateKeys } from "./dev-chain-accounts.js";
export { ContractsError } from "./errors.js";
