import { Interface, isCallException } from "ethers";
import { dataAnchorAbi } from "./generated/data-anchor-artifact.js";

/** DataAnchor's ABI as an ethers Interface, for encoding calls and parsing logs. */
export const dataAnchorInterface = Interface.from(dataAnchorAbi);

/** A custom error of DataAnchor, decoded from a revert. */
export interface DataAnchorRevert {
  /** Error name, e.g. `AlreadyAnchored`. */
  readonly name: string;
  /** Its parameters, in declaration order. */
  readonly args: readonly unknown[];
}

/**
 * Decodes which DataAnchor custom error an ethers call or transaction failed with, or undefined
 * when `error` is something else. ethers decodes custom errors only for static calls; a reverted
 * `send` fails in gas estimation and carries just the raw revert data, decoded here.
 */
export function decodeDataAnchorRevert(error: unknown): DataAnchorRevert | undefined {
  if (!isCallException(error)) return undefined;
  if (error.revert !== null) return { name: error.revert.name, args: [...(error.revert.args as unknown[])] };
  if (error.data === null) return undefined;
  const parsed = dataAnchorInterface.parseError(error.data);
  return parsed === null ? undefined : { name: parsed.name, args: [...parsed.args] };
}
