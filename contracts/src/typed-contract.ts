import type {
  Abi,
  AbiParameter,
  AbiParametersToPrimitiveTypes,
  ExtractAbiEvent,
  ExtractAbiEventNames,
  ExtractAbiFunction,
  ExtractAbiFunctionNames,
} from "abitype";
import {
  Contract,
  EventLog,
  hexlify,
  Result,
  type ContractRunner,
  type ContractTransactionResponse,
  type InterfaceAbi,
  type Overrides,
} from "ethers";

type Inputs<A extends Abi, F extends ExtractAbiFunctionNames<A>> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<A, F>["inputs"],
  "inputs"
>;
type Outputs<A extends Abi, F extends ExtractAbiFunctionNames<A>> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<A, F>["outputs"],
  "outputs"
>;
type IndexedInputs<A extends Abi, E extends ExtractAbiEventNames<A>> = Partial<
  AbiParametersToPrimitiveTypes<Extract<ExtractAbiEvent<A, E>["inputs"][number], { indexed: true }>[], "inputs">
>;

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

/** Bytes as the hex string abitype types bytes and bytesN arguments with. */
export function abiHex(bytes: Uint8Array): `0x${string}` {
  return hexlify(bytes) as `0x${string}`;
}

/**
 * A contract whose calls are typed from its `as const` ABI (through abitype): function
 * names, argument tuples and results are checked at compile time, over ethers at run time.
 */
export class TypedContract<const A extends Abi> {
  readonly contract: Contract;
  private readonly abi: A;

  constructor(address: string, abi: A, runner: ContractRunner) {
    this.abi = abi;
    // abitype's ABI types mark optional fields `?: T | undefined`, which ethers' JsonFragment does not take under exactOptionalPropertyTypes.
    this.contract = new Contract(address, abi as InterfaceAbi, runner);
  }

  /** Sends a transaction calling `name`. */
  send<F extends ExtractAbiFunctionNames<A, "nonpayable" | "payable">>(
    name: F,
    args: Inputs<A, F>,
    overrides: Overrides = {},
  ): Promise<ContractTransactionResponse> {
    return this.contract.getFunction(name).send(...(args as readonly unknown[]), overrides);
  }

  /** Calls a view or pure function; returns its outputs as a tuple. */
  async read<F extends ExtractAbiFunctionNames<A, "view" | "pure">>(name: F, args: Inputs<A, F>): Promise<Outputs<A, F>> {
    const result = await this.contract.getFunction(name).staticCallResult(...(args as readonly unknown[]));
    const fn = this.abi.find((item) => item.type === "function" && item.name === name);
    const outputs = fn?.type === "function" ? fn.outputs : [];
    return outputs.map((output, index) => fromEthers(result[index], output)) as Outputs<A, F>;
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
}
