import type {
  Abi,
  AbiParameter,
  AbiParametersToPrimitiveTypes,
  AbiParameterToPrimitiveType,
  ExtractAbiEvent,
  ExtractAbiEventNames,
  ExtractAbiFunction,
  ExtractAbiFunctionNames,
} from "abitype";
import {
  Contract,
  EventLog,
  getAddress,
  hexlify,
  Result,
  type BytesLike,
  type ContractRunner,
  type ContractTransactionResponse,
  type InterfaceAbi,
  type Overrides,
} from "ethers";

/** Names of the functions of `A` that change state, which `send` calls. */
export type TransactionFunctionName<A extends Abi> = ExtractAbiFunctionNames<A, "nonpayable" | "payable">;
/** Names of the view and pure functions of `A`, which `read` calls. */
export type ViewFunctionName<A extends Abi> = ExtractAbiFunctionNames<A, "view" | "pure">;
/** The arguments of function `F` of `A`, as a tuple. */
export type FunctionInputs<A extends Abi, F extends ExtractAbiFunctionNames<A>> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<A, F>["inputs"],
  "inputs"
>;
/** The results of function `F` of `A`, as a tuple. */
export type FunctionOutputs<A extends Abi, F extends ExtractAbiFunctionNames<A>> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<A, F>["outputs"],
  "outputs"
>;
type IndexedInputs<A extends Abi, E extends ExtractAbiEventNames<A>> = Partial<
  AbiParametersToPrimitiveTypes<Extract<ExtractAbiEvent<A, E>["inputs"][number], { indexed: true }>[], "inputs">
>;
/** The arguments of event `E` of `A`, by name. */
type EventArgs<A extends Abi, E extends ExtractAbiEventNames<A>> = {
  [P in ExtractAbiEvent<A, E>["inputs"][number] as Extract<P["name"], string>]: AbiParameterToPrimitiveType<P, "outputs">;
};

/** A value as ethers decoded it, turned into what abitype says the ABI gives: structs as objects, arrays as arrays. */
function fromEthers(value: unknown, parameter: AbiParameter): unknown {
  if (!(value instanceof Result)) return value;
  if (parameter.type.endsWith("]")) {
    const element: AbiParameter = { ...parameter, type: parameter.type.slice(0, parameter.type.lastIndexOf("[")) };
    return value.toArray().map((item) => fromEthers(item, element));
  }
  const components = "components" in parameter ? parameter.components : [];
  return Object.fromEntries(
    components.map((component, index) => [component.name ?? String(index), fromEthers(value[index], component)]),
  );
}

/** Bytes, or a hex string as ethers gives it, as the hex abitype types bytes and bytesN arguments with. */
export function abiHex(bytes: BytesLike): `0x${string}` {
  return hexlify(bytes) as `0x${string}`;
}

/** An address (checked and checksummed) as the hex string abitype types address arguments with. */
export function abiAddress(address: string): `0x${string}` {
  return getAddress(address) as `0x${string}`;
}

/**
 * A contract whose calls are typed from its `as const` ABI (through abitype): function
 * names, argument tuples and results are checked at compile time, over ethers at run time.
 */
export class TypedContract<const A extends Abi> {
  readonly address: string;
  readonly contract: Contract;
  private readonly abi: A;

  constructor(address: string, abi: A, runner: ContractRunner) {
    this.address = address;
    this.abi = abi;
    // abitype's ABI types mark optional fields `?: T | undefined`, which ethers' JsonFragment does not take under exactOptionalPropertyTypes.
    this.contract = new Contract(address, abi as InterfaceAbi, runner);
  }

  /** Sends a transaction calling `name`. */
  send<F extends TransactionFunctionName<A>>(
    name: F,
    args: FunctionInputs<A, F>,
    overrides: Overrides = {},
  ): Promise<ContractTransactionResponse> {
    return this.contract.getFunction(name).send(...(args as readonly unknown[]), overrides);
  }

  /** Calls a view or pure function; returns its outputs as a tuple. */
  async read<F extends ViewFunctionName<A>>(name: F, args: FunctionInputs<A, F>): Promise<FunctionOutputs<A, F>> {
    const result = await this.contract.getFunction(name).staticCallResult(...(args as readonly unknown[]));
    const fn = this.abi.find((item) => item.type === "function" && item.name === name);
    const outputs = fn?.type === "function" ? fn.outputs : [];
    return outputs.map((output, index) => fromEthers(result[index], output)) as FunctionOutputs<A, F>;
  }

  /** The logs of event `name` in a block range, filtered by its indexed arguments in order. */
  async events<E extends ExtractAbiEventNames<A>>(
    name: E,
    indexed: IndexedInputs<A, E>,
    fromBlock: number,
    toBlock: number,
  ): Promise<EventLog[]> {
    const filter = this.contract.getEvent(name)(...(indexed as readonly unknown[]));
    const logs = await this.contract.queryFilter(filter, fromBlock, toBlock);
    return logs.filter((log): log is EventLog => log instanceof EventLog);
  }

  /** The arguments of event `name` if `log` (a transaction receipt's, say) is that event, else undefined. */
  parseLog<E extends ExtractAbiEventNames<A>>(
    name: E,
    log: { readonly topics: readonly string[]; readonly data: string },
  ): EventArgs<A, E> | undefined {
    const fragment = this.contract.interface.getEvent(name);
    if (fragment === null || log.topics[0]?.toLowerCase() !== fragment.topicHash) return undefined;
    const values = this.contract.interface.decodeEventLog(fragment, log.data, log.topics);
    const event = this.abi.find((item) => item.type === "event" && item.name === name);
    const inputs = event?.type === "event" ? event.inputs : [];
    return fromEthers(values, { type: "tuple", components: inputs }) as EventArgs<A, E>;
  }
}
