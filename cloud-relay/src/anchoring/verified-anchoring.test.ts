import { BatchCommitment, fieldToBytes32, loadPoseidon, releaseSnarkThreads, type PoseidonHasher } from "@intelledger/circuits";
import { dataAnchorAbi } from "@intelledger/contracts";
import { startDeployedTestChain, type DeployedTestChain } from "@intelledger/contracts/test-chain";
import { sealedBatchHeader } from "@intelledger/proto/relay";
import { Contract, JsonRpcProvider, Wallet, hexlify, type EventLog } from "ethers";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proveCommitment, recordProof } from "../../test/recorded-proof.js";
import { sqliteBackend, type StoreBackend } from "../../test/relay-store-backends.js";
import type { RelayStore } from "../store/relay-store.js";
import { AnchorService } from "./anchor-service.js";
import { VerifiedAnchoring } from "./verified-anchoring.js";

describe("anchoring with proofs checked on chain", () => {
  let chain: DeployedTestChain;
  let contract: Contract;
  let backend: StoreBackend;
  let store: RelayStore;
  let hasher: PoseidonHasher;
  let gateway: Wallet;
  let anchorerKey: string;
  let address: string;
  let nextSequence = 1;

  beforeAll(async () => {
    chain = await startDeployedTestChain();
    anchorerKey = chain.wallets[1].privateKey;
    gateway = chain.wallets[2];
    address = chain.deployment.address;
    contract = new Contract(address, dataAnchorAbi, chain.provider);
    await chain.registerGateways(gateway);
    backend = await sqliteBackend();
    store = await backend.open();
    hasher = await loadPoseidon();
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await backend?.destroy();
    await chain?.stop();
    await releaseSnarkThreads();
  });

  const service = (options: { batchesPerTransaction: number; proofWaitMs: number }) =>
    new AnchorService({
      anchors: store.anchors,
      leadership: store.leadership,
      leaderPollMs: 100,
      hasher,
      signer: new Wallet(anchorerKey, new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 })),
      contractAddress: address,
      confirmations: 1,
      intervalMs: 100,
      receiptPollMs: 50,
      maxBatchesPerAnchor: 1_000,
      replaceAfterMs: 60_000,
      reorgDepth: 12,
      verified: new VerifiedAnchoring(options, { batches: store.batches, proofs: store.proofs }),
      logger: pino({ level: "silent" }),
    });

  /** Stores a batch of the gateway as the upload path would, with its proof: valid, invalid, or none yet. */
  async function storeBatch(proof: "valid" | "invalid" | "none"): Promise<{ root: string; sequence: number }> {
    const sequence = nextSequence++;
    const readings = Array.from({ length: 3 }, (_, i) => ({
      gatewaySeq: sequence * 10 + i,
      deviceId: "esp32-01",
      frameCounter: sequence * 10 + i,
      channel: 1,
      channelIndex: 0,
      sampledAtMs: 1_763_000_000_000 + i,
      receivedAtMs: 1_763_000_000_100 + i,
      value: 2_000 + sequence * 10 + i,
      scale: 2,
    }));
    const commitment = BatchCommitment.build(hasher, { gatewayId: gateway.address, readings });
    const { batches, proofs } = store;
    await batches.touchGateway(gateway.address, Date.now());
    const header = sealedBatchHeader(
      {
        gatewayId: gateway.address,
        sequence,
        previousBatchHash: (await batches.head(gateway.address))?.batchHash ?? new Uint8Array(32),
        readingsRoot: fieldToBytes32(commitment.root),
        dataClass: 1,
        sealedAtMs: Date.now(),
      },
      readings,
    );
    await batches.appendAll([
      {
        batch: {
          ...header,
          batchHash: new Uint8Array(32).fill(sequence),
          receivedAtMs: Date.now(),
          signature: new Uint8Array(65),
          payload: new Uint8Array(1),
        },
        gap: undefined,
      },
    ]);
    if (proof !== "none") {
      await recordProof(proofs, await proveCommitment(commitment), {
        gatewayId: gateway.address,
        batchSequence: sequence,
        valid: proof === "valid",
        verifiedAtMs: Date.now(),
      });
    }
    return { root: hexlify(fieldToBytes32(commitment.root)), sequence };
  }

  async function settle(anchoring: AnchorService): Promise<void> {
    for (let round = 0; round < 20; round++) {
      await anchoring.anchorOnce();
      if ((await store.anchors.unsettled()).length === 0) return;
    }
    throw new Error("anchors still unsettled");
  }

  const eventsOf = async (name: string) =>
    ((await contract.queryFilter(contract.getEvent(name))) as EventLog[]).map((event) => ({
      root: String(event.args[0]),
      transactionHash: event.transactionHash,
    }));

  it("anchors each proven batch as its own root, several proofs to a transaction; the rest root-only or after their proofs", async () => {
    const proven = [await storeBatch("valid"), await storeBatch("valid"), await storeBatch("valid")];
    const refused = await storeBatch("invalid");
    const waiting = await storeBatch("none");
    await settle(service({ batchesPerTransaction: 2, proofWaitMs: 600_000 }));

    const verified = await eventsOf("BatchVerified");
    expect(verified.map((event) => event.root)).toEqual(proven.map((batch) => batch.root));
    // Two transactions: the first two proofs together, the third alone.
    expect(verified[0]?.transactionHash).toBe(verified[1]?.transactionHash);
    expect(verified[2]?.transactionHash).not.toBe(verified[0]?.transactionHash);
    const anchored = await eventsOf("RootAnchored");
    // The batch whose proof was refused is anchored without it, alone: its root is the anchored one.
    expect(anchored.map((event) => event.root).sort()).toEqual([...proven, refused].map((batch) => batch.root).sort());
    for (const batch of [...proven, refused]) {
      const at = await store.batches.anchorOf(gateway.address, batch.sequence);
      const anchor = at && (await store.anchors.byId(at.anchorId));
      expect(anchor).toMatchObject({ status: "confirmed", batchCount: 1 });
      expect(hexlify(anchor?.root ?? new Uint8Array())).toBe(batch.root);
    }
    expect(await store.batches.anchorOf(gateway.address, waiting.sequence)).toBeUndefined();

    // Once its proof's wait is over, the batch without one is anchored root-only.
    await settle(service({ batchesPerTransaction: 2, proofWaitMs: 0 }));
    expect((await eventsOf("RootAnchored")).map((event) => event.root)).toContain(waiting.root);
    expect((await eventsOf("BatchVerified")).map((event) => event.root)).not.toContain(waiting.root);
  }, 240_000);

  it("sends a dropped transaction of several proofs again, and every root is anchored once", async () => {
    const proven = [await storeBatch("valid"), await storeBatch("valid")];
    const anchoring = service({ batchesPerTransaction: 4, proofWaitMs: 600_000 });
    await chain.provider.send("evm_setAutomine", [false]);
    try {
      await anchoring.anchorOnce();
      const sent = await store.anchors.unsettled();
      expect(sent.map((anchor) => anchor.txHash)).toEqual([sent[0]?.txHash, sent[0]?.txHash]);
      await chain.provider.send("hardhat_dropTransaction", [sent[0]?.txHash]);
    } finally {
      await chain.provider.send("evm_setAutomine", [true]);
    }
    await settle(anchoring);
    const anchored = (await eventsOf("RootAnchored")).map((event) => event.root);
    for (const batch of proven) expect(anchored.filter((root) => root === batch.root)).toHaveLength(1);
    expect(new Set(anchored).size).toBe(anchored.length);
  }, 240_000);
});
