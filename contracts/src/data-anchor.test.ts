import {
  Contract,
  JsonRpcProvider,
  Wallet,
  ZeroAddress,
  ZeroHash,
  hexlify,
  randomBytes,
  type ContractTransactionReceipt,
} from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDataAnchorRevert, type DataAnchorRevert } from "./data-anchor-revert.js";
import { deployDataAnchor } from "./deploy-data-anchor.js";
import { startDevChain, type DevChain } from "./dev-chain.js";
import { ContractsError } from "./errors.js";
import { dataAnchorAbi } from "./generated/data-anchor-artifact.js";

/** Resolves to the decoded custom error of a reverted call or transaction. */
async function revertOf(action: Promise<unknown>): Promise<DataAnchorRevert> {
  try {
    await action;
  } catch (error) {
    const revert = decodeDataAnchorRevert(error);
    if (revert !== undefined) return revert;
    throw error;
  }
  throw new Error("expected a revert");
}

/** Sends a transaction and waits until it is mined. */
async function send(contract: Contract, method: string, ...args: unknown[]): Promise<ContractTransactionReceipt> {
  const receipt = await (await contract.getFunction(method).send(...args)).wait();
  if (receipt === null) throw new Error(`${method} was not mined`);
  return receipt;
}

/** Calls a view function and returns its result as a plain value. */
async function view(contract: Contract, method: string, ...args: unknown[]): Promise<unknown> {
  const result: unknown = await contract.getFunction(method).staticCall(...args);
  return typeof result === "object" && result !== null && "toObject" in result
    ? (result as { toObject(): unknown }).toObject()
    : result;
}

const randomRoot = (): string => hexlify(randomBytes(32));

describe("DataAnchor", () => {
  let chain: DevChain;
  let provider: JsonRpcProvider;
  let owner: Wallet;
  let anchorer: Wallet;
  let stranger: Wallet;
  let address: string;
  let deployedAt: number;

  beforeAll(async () => {
    chain = await startDevChain();
    provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true, cacheTimeout: -1 });
    const [ownerKey, anchorerKey, strangerKey] = chain.accounts;
    if (ownerKey === undefined || anchorerKey === undefined || strangerKey === undefined) throw new Error("too few accounts");
    owner = new Wallet(ownerKey, provider);
    anchorer = new Wallet(anchorerKey, provider);
    stranger = new Wallet(strangerKey, provider);
    ({ address, blockNumber: deployedAt } = await deployDataAnchor(owner, anchorer.address));
  });

  afterAll(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  const as = (signer: Wallet): Contract => new Contract(address, dataAnchorAbi, signer);

  it("is deployed with the deployer as owner and the given anchorer", async () => {
    expect(await provider.getCode(address)).not.toBe("0x");
    expect(deployedAt).toBeGreaterThan(0);
    expect(await view(as(stranger), "owner")).toBe(owner.address);
    expect(await view(as(stranger), "anchorer")).toBe(anchorer.address);
  });

  it("anchors a root, records when and what, and emits RootAnchored", async () => {
    const root = randomRoot();
    const receipt = await send(as(anchorer), "anchor", root, 3n, 1234n);

    const contract = as(stranger);
    const events = receipt.logs.map((log) => contract.interface.parseLog(log)).filter((event) => event !== null);
    expect(events).toHaveLength(1);
    expect(events[0]?.name).toBe("RootAnchored");
    expect(events[0]?.args.toObject()).toEqual({ root, batchCount: 3n, readingCount: 1234n, anchorer: anchorer.address });

    // Indexers find it by the indexed root too.
    const found = await contract.queryFilter(contract.getEvent("RootAnchored")(root), deployedAt);
    expect(found.map((event) => event.transactionHash)).toEqual([receipt.hash]);

    const block = await provider.getBlock(receipt.blockNumber);
    expect(await view(contract, "anchorOf", root)).toEqual({
      blockNumber: BigInt(receipt.blockNumber),
      timestamp: BigInt(block?.timestamp ?? -1),
      batchCount: 3n,
      readingCount: 1234n,
    });
  });

  it("returns an all-zero record for a root never anchored", async () => {
    expect(await view(as(stranger), "anchorOf", randomRoot())).toEqual({
      blockNumber: 0n,
      timestamp: 0n,
      batchCount: 0n,
      readingCount: 0n,
    });
  });

  it("rejects anchoring by anyone but the anchorer with NotAnchorer(caller)", async () => {
    expect(await revertOf(send(as(stranger), "anchor", randomRoot(), 1n, 1n))).toEqual({
      name: "NotAnchorer",
      args: [stranger.address],
    });
    // The owner is not the anchorer either.
    expect((await revertOf(send(as(owner), "anchor", randomRoot(), 1n, 1n))).name).toBe("NotAnchorer");
  });

  it("rejects a second anchoring of the same root with AlreadyAnchored(root)", async () => {
    const root = randomRoot();
    await send(as(anchorer), "anchor", root, 1n, 10n);
    expect(await revertOf(send(as(anchorer), "anchor", root, 2n, 20n))).toEqual({
      name: "AlreadyAnchored",
      args: [root],
    });
  });

  it("rejects the zero root with ZeroRoot()", async () => {
    expect(await revertOf(send(as(anchorer), "anchor", ZeroHash, 1n, 1n))).toEqual({ name: "ZeroRoot", args: [] });
  });

  it("rejects setAnchorer by anyone but the owner with NotOwner(caller)", async () => {
    expect(await revertOf(send(as(anchorer), "setAnchorer", stranger.address))).toEqual({
      name: "NotOwner",
      args: [anchorer.address],
    });
  });

  it("lets the owner hand the anchorer role over", async () => {
    const contract = as(owner);
    const receipt = await send(contract, "setAnchorer", stranger.address);
    expect(receipt.logs.map((log) => contract.interface.parseLog(log)?.args.toObject())).toEqual([
      { previousAnchorer: anchorer.address, newAnchorer: stranger.address },
    ]);
    expect(await view(contract, "anchorer")).toBe(stranger.address);
    expect((await revertOf(send(as(anchorer), "anchor", randomRoot(), 1n, 1n))).name).toBe("NotAnchorer");
    await send(as(stranger), "anchor", randomRoot(), 1n, 1n);
    // Hand it back so that test order does not matter.
    await send(contract, "setAnchorer", anchorer.address);
  });

  it("rejects the zero address as anchorer", async () => {
    expect(await revertOf(send(as(owner), "setAnchorer", ZeroAddress))).toEqual({
      name: "ZeroAnchorer",
      args: [],
    });
  });

  it("deployDataAnchor rejects a malformed anchorer before sending anything", async () => {
    await expect(deployDataAnchor(owner, "0x1234")).rejects.toBeInstanceOf(ContractsError);
  });

  it("deployDataAnchor surfaces the constructor's ZeroAnchorer revert", async () => {
    const failure = await deployDataAnchor(owner, ZeroAddress).catch((error: unknown) => error);
    expect(decodeDataAnchorRevert(failure)).toEqual({ name: "ZeroAnchorer", args: [] });
    expect(decodeDataAnchorRevert(new Error("unrelated"))).toBeUndefined();
  });
});
