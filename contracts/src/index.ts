export { dataAnchorAbi, dataAnchorBytecode } from "./generated/data-anchor-artifact.js";
export { dataAnchorInterface, decodeDataAnchorRevert, type DataAnchorRevert } from "./data-anchor-revert.js";
export { deployDataAnchor, type Deployment } from "./deploy-data-anchor.js";
export { startDevChain, type DevChain, type DevChainOptions } from "./dev-chain.js";
export { DEV_CHAIN_ID, DEV_CHAIN_MNEMONIC, devChainPrivateKeys } from "./dev-chain-accounts.js";
export { ContractsError } from "./errors.js";
