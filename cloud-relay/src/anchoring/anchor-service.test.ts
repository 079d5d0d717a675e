import { randomBytes } from "node:crypto";
import {
  bytes32ToField,
  fieldToBytes32,
  loadPoseidon,
  rootFromPath,
  SNARK_FIELD_MODULUS,
  type PoseidonHasher,
} from "@intelledger/circuits";
import { dataAnchorAbi, deployDataAnchor, startDevChain, type DevChain } from "@intelledger/contracts";
import { sealedBatchHeader } from "@intelledger/proto/relay";
import { Contract, JsonRpcProvider, Wallet, hexlify, type EventLog } from "ethers";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnchorLedger } from "../store/anchor-ledger.js";
import type { BatchLedger } from "../store/batch-ledger.js";
import type { RelayStore } from "../store/relay-store.js";
import { InterruptibleProxy } from "@intelledger/test-support";
import { sqliteBackend, type StoreBackend } from "../../test/relay-store-backends.js";
import { foldedAnchorPath } from "../receipts/folded-anchor-path.js";
import { AnchorService } from "./anchor-service.js";

let chain: DevChain;
let proxy: InterruptibleProxy;
let rpc: JsonRpcProvider;
let contract: Contract;
let backend: StoreBackend;
let store: RelayStore;
let batches: BatchLedger;
let anchors: AnchorLedger;
let service: AnchorService;
let makeService: (replaceAfterMs: number) => AnchorService;
let nextSequence = 1;
let hasher: PoseidonHasher;

async function send(method: string, params: unknown[] = []): Promise<unknown> {
  return rpc.send(method, params);
}

/** Stores batches as the upload path would, each with a random readings root, chained to the one before. */
async function storeBatches(count: number): Promise<void> {
  const gatewayId = "0x00000000000000000000000000000000000000aa";
  await batches.touchGateway(gatewayId, Date.now());
  for (let i = 0; i < count; i++) {
    const sequence = nextSequence++;
    const header = sealedBatchHeader(
      {
        gatewayId,
        sequence,
        previousBatchHash: (await batches.head(gatewayId))?.batchHash ?? new Uint8Array(32),
        readingsRoot: fieldToBytes32(BigInt(`0x${randomBytes(32).toString("hex")}`) % SNARK_FIELD_MODULUS),
        dataClass: 1,
        sealedAtMs: Date.now(),
      },
      [{ gatewaySeq: sequence }],
    );
    const batch = {
      ...header,
      batchHash: randomBytes(32),
      receivedAtMs: Date.now(),
      signature: new Uint8Array(65),
      payload: new Uint8Array(1),
    };
    await batches.appendAll([{ batch, gap: undefined }]);
  }
}

/** Runs anchoring rounds until every batch sits in a confirmed anchor, riding out the failures a fault causes. */
async function anchorEverything(rounds = 40): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await service.anchorOnce().catch(() => undefined);
    if ((await anchors.totals()).unanchoredBatches === 0 && (await anchors.unsettled()).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `batches still unanchored: ${JSON.stringify(await anchors.totals())}, unsettled ${(await anchors.unsettled()).length}`,
  );
}

/** Each anchor's root appears in exactly one RootAnchored event on the chain as it is now, and no other root does. */
async function expectAnchoredExactlyOnce(): Promise<void> {
  const events = (await contract.queryFilter(contract.getEvent("RootAnchored"))) as EventLog[];
  const onChain = events.map((event) => String(event.args[0]).toLowerCase()).sort();
  const recorded: string[] = [];
  for (let id = 1; await anchors.byId(id); id++) recorded.push(hexlify(((await anchors.byId(id)) as { root: Uint8Array }).root));
  expect(onChain).toEqual(recorded.sort());
  for (let id = 1; await anchors.byId(id); id++) {
    const anchor = await anchors.byId(id);
    const receipt = await rpc.getTransactionReceipt(anchor?.txHash ?? "");
    expect(anchor?.status).toBe("confirmed");
    expect(receipt?.blockHash).toBe(anchor?.blockHash);
    await expectPathsKept(id, anchor?.root as Uint8Array);
  }
}

/** Each batch of the anchor kept its path in the anchor's tree: from its root to the anchor's, as folding them all anew gives it. */
async function expectPathsKept(anchorId: number, root: Uint8Array): Promise<void> {
  const members = await batches.byAnchor(anchorId);
  for (const [position, member] of members.entries()) {
    const anchoring = await batches.anchorOf(member.gatewayId, member.sequence);
    expect(anchoring).toMatchObject({ anchorId, position });
    const siblings = anchoring?.siblings ?? [];
    expect(siblings.length).toBe(Math.ceil(Math.log2(members.length)));
    const path = { leafIndex: position, siblings: siblings.map(bytes32ToField) };
    expect(rootFromPath(hasher, bytes32ToField(member.readingsRoot), path)).toBe(bytes32ToField(root));
    expect(await foldedAnchorPath(batches, hasher, { anchorId, position })).toEqual(siblings);
  }
}

beforeEach(async () => {
  chain = await startDevChain();
  const [deployerKey, anchorerKey] = chain.accounts as [string, string];
  proxy = await InterruptibleProxy.start({ host: "127.0.0.1", port: Number(new URL(chain.rpcUrl).port) });
  rpc = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  const { address } = await deployDataAnchor(new Wallet(deployerKey, rpc), new Wallet(anchorerKey).address);
  contract = new Contract(address, dataAnchorAbi, rpc);
  backend = await sqliteBackend();
  store = await backend.open();
  ({ batches, anchors } = store);
  nextSequence = 1;
  // The relay reaches the chain through the proxy, which the tests cut.
  const relaySide = new JsonRpcProvider(proxy.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  hasher = await loadPoseidon();
  makeService = (replaceAfterMs) =>
    new AnchorService({
      anchors,
      leadership: store.leadership,
      leaderPollMs: 100,
      hasher,
      signer: new Wallet(anchorerKey, relaySide),
      contractAddress: address,
      confirmations: 1,
      intervalMs: 100,
      receiptPollMs: 50,
      maxBatchesPerAnchor: 1_000,
      replaceAfterMs,
      reorgDepth: 12,
      logger: pino({ level: "silent" }),
    });
  service = makeService(60_000);
});

afterEach(async () => {
  await store.close();
  await backend.destroy();
  rpc.destroy();
  await proxy.close();
  await chain.stop();
});

describe("anchoring through chain faults", () => {
  it("rides out an unreachable RPC endpoint", async () => {
    await storeBatches(3);
    await anchorEverything();
    await storeBatches(4);
    await proxy.cut();
    for (let round = 0; round < 5; round++) await expect(service.anchorOnce()).rejects.toThrow();
    await proxy.restore();
    await storeBatches(2);
    await anchorEverything();
    await expectAnchoredExactlyOnce();
    expect((await anchors.totals()).readingsAnchored).toBe(9);
  });

  it("sends a dropped transaction again", async () => {
    await storeBatches(5);
    await send("evm_setAutomine", [false]);
    await service.anchorOnce();
    const [sent] = await anchors.unsettled();
    expect(sent?.status).toBe("submitted");
    await send("hardhat_dropTransaction", [sent?.txHash]);
    await send("evm_setAutomine", [true]);
    // Sent again, the same signed transaction (same nonce and fees) gets mined this time.
    await anchorEverything();
    await expectAnchoredExactlyOnce();
  });

  it("replaces a transaction stuck unmined", async () => {
    await storeBatches(2);
    await send("evm_setAutomine", [false]);
    await service.anchorOnce();
    const [stuck] = await anchors.unsettled();
    // The same relay, restarted with a short patience for unmined transactions.
    service = makeService(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await service.anchorOnce();
    const [replaced] = await anchors.unsettled();
    expect(replaced?.txHash).not.toBe(stuck?.txHash);
    expect(replaced?.txNonce).toBe(stuck?.txNonce);
    await send("evm_mine");
    await send("evm_setAutomine", [true]);
    await anchorEverything();
    await expectAnchoredExactlyOnce();
  });

  it("anchors again what a reorganisation undid", async () => {
    await storeBatches(2);
    await anchorEverything();
    const beforeReorg = (await send("evm_snapshot")) as string;
    await storeBatches(3);
    await anchorEverything();
    const undone = await anchors.byId(2);
    expect(undone?.status).toBe("confirmed");
    // The blocks since the snapshot are replaced by others: the anchor's transaction is gone.
    await send("evm_revert", [beforeReorg]);
    for (let i = 0; i < 3; i++) await send("evm_mine");
    await anchorEverything();
    await expectAnchoredExactlyOnce();
    expect((await anchors.byId(2))?.blockHash).not.toBe(undone?.blockHash);
  });
});
