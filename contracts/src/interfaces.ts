// The part of the package a browser bundle (the verify package's) may take: the ABIs, calls
// typed from them and revert decoding, without the deployment and dev-chain code, which needs Node.
export { dataAnchorAbi } from "./generated/data-anchor-artifact.js";
export { gatewayRegistryAbi } from "./generated/gateway-registry-artifact.js";
export { decodeDataAnchorRevert, type DataAnchorRevert } from "./data-anchor-revert.js";
export {
  abiAddress,
  abiHex,
  TypedContract,
  type FunctionInputs,
  type FunctionOutputs,
  type ViewFunctionName,
} from "./typed-contract.js";
