import { Interface, isCallException, type InterfaceAbi } from "ethers";
import { dataAnchorAbi } from "./generated/data-anchor-artifact.js";
import { edgeProxyAbi } from "./generated/edge-proxy-artifact.js";
import { gatewayRegistryAbi } from "./generated/gateway-registry-artifact.js";

// Every custom error the deployed contracts can revert with, each once (both upgradeable
// contracts inherit the same access-control and proxy errors).
const errorsInterface = Interface.from([
  ...new Map(
    ([...dataAnchorAbi, ...gatewayRegistryAbi, ...edgeProxyAbi] as readonly { type: string; name?: string }[])
      .filter((fragment) => fragment.type === "error")
      .map((fragment) => [fragment.name, fragment]),
  ).values(),
] as InterfaceAbi);

/** A custom error of the contracts, decoded from a revert. */
export interface DataAnchorRevert {
  /** Error name, e.g. `AlreadyAnchored`. */
  readonly name: string;
  /** Its parameters, in declaration order. */
  readonly args: readonly unknown[];
}

/**
 * Decodes which custom error of DataAnchor or GatewayRegistry (their own, access control's or
 * the proxy's) an ethers call or transaction failed with, or undefined when `error` is something
 * else. ethers decodes custom errors only for static calls; a reverted `send` fails in gas
 * estimation and carries just the raw revert data, decoded here.
 */
export function decodeDataAnchorRevert(error: unknown): DataAnchorRevert | undefined {
  if (!isCallException(error)) return undefined;
  if (error.revert !== null) return { name: error.revert.name, args: [...(error.revert.args as unknown[])] };
  // A revert without a selector (empty data, e.g. from a failed ABI decode) is no custom error.
  if (error.data === null || error.data.length < 10) return undefined;
  const parsed = errorsInterface.parseError(error.data);
  return parsed === null ? undefined : { name: parsed.name, args: [...parsed.args] };
}
