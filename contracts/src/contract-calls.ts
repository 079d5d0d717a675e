// Small helpers for sending transactions and reading views through ethers, shared by the
// contract tests, the gas report and the deploy command.
import type { Contract, ContractTransactionReceipt } from "ethers";
import { decodeDataAnchorRevert, type DataAnchorRevert } from "./data-anchor-revert.js";
import { ContractsError } from "./errors.js";

/** Sends a transaction and waits until it is mined. */
export async function sendAndWait(contract: Contract, method: string, ...args: unknown[]): Promise<ContractTransactionReceipt> {
  const receipt = await (await contract.getFunction(method).send(...args)).wait();
  if (receipt === null) throw new ContractsError(`${method} was not mined`);
  return receipt;
}

/** Calls a view function and returns its result as a plain value (structs as objects). */
export async function callView(contract: Contract, method: string, ...args: unknown[]): Promise<unknown> {
  const result: unknown = await contract.getFunction(method).staticCall(...args);
  return typeof result === "object" && result !== null && "toObject" in result
    ? (result as { toObject(deep?: boolean): unknown }).toObject(true)
    : result;
}

/** Resolves to the decoded custom error a call or transaction reverted with; rejects if it did not revert so. */
export async function revertOf(action: Promise<unknown>): Promise<DataAnchorRevert> {
  try {
    await action;
  } catch (error) {
    const revert = decodeDataAnchorRevert(error);
    if (revert !== undefined) return revert;
    throw error;
  }
  throw new ContractsError("expected a revert");
}
