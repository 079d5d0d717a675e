// Small helpers for sending transactions through typed contracts and telling their reverts,
// shared by the contract tests, the gas report and the deploy command.
import type { Abi } from "abitype";
import type { ContractTransactionReceipt } from "ethers";
import { decodeDataAnchorRevert, type DataAnchorRevert } from "./data-anchor-revert.js";
import { ContractsError } from "./errors.js";
import type { FunctionInputs, TransactionFunctionName, TypedContract } from "./typed-contract.js";

/** Sends a transaction and waits until it is mined. */
export async function sendAndWait<A extends Abi, F extends TransactionFunctionName<A>>(
  contract: TypedContract<A>,
  method: F,
  args: FunctionInputs<A, F>,
): Promise<ContractTransactionReceipt> {
  const receipt = await (await contract.send(method, args)).wait();
  if (receipt === null) throw new ContractsError(`${method} was not mined`);
  return receipt;
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
