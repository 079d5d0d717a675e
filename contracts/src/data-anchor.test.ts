import { releaseSnarkThreads, type BatchProof } from "@intelledger/circuits";
import type { Wallet } from "ethers";
import { ContractFactory, ZeroAddress, ZeroHash, id, randomBytes, toBeHex } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchProofCalldata, type BatchProofCalldata } from "./batch-proof-calldata.js";
import { revertOf, sendAndWait } from "./contract-calls.js";
import { decodeDataAnchorRevert } from "./data-anchor-revert.js";
import { deployDataAnchor, deployEdgeContracts } from "./deploy-data-anchor.js";
import { ContractsError } from "./errors.js";
import { dataAnchorAbi, dataAnchorBytecode } from "./generated/data-anchor-artifact.js";
import { abiAddress, abiHex, TypedContract } from "./typed-contract.js";
import { provenBatch as proveTestBatch } from "../test/proven-batch.js";
import { startDeployedTestChain } from "../test/test-chain.js";

const ANCHORER_ROLE = abiHex(id("ANCHORER_ROLE"));
const DEFAULT_ADMIN_ROLE = abiHex(ZeroHash);
const randomRoot = () => abiHex(randomBytes(32));

/** A real batch sealed by `gateway`, and its proof. */
async function provenBatch(gateway: string, readingCount: number): Promise<{ proof: BatchProof; calldata: BatchProofCalldata }> {
  const proof = await proveTestBatch(gateway, readingCount);
  return { proof, calldata: batchProofCalldata(proof.proof, proof.publicSignals) };
}

const chain = await startDeployedTestChain();
afterAll(async () => {
  await chain.stop();
  await releaseSnarkThreads();
});
const [admin, anchorer, stranger, gateway] = chain.wallets;
await chain.registerGateways(gateway);

describe("DataAnchor", () => {
  const as = (signer: Wallet) => new TypedContract(chain.deployment.address, dataAnchorAbi, signer);
  const events = (logs: readonly { topics: readonly string[]; data: string }[]) =>
    logs.map((log) => as(stranger).contract.interface.parseLog(log)).filter((event) => event !== null);

  it("is deployed behind a proxy, with roles, registry and verifier in place", async () => {
    expect(await chain.provider.getCode(chain.deployment.address)).not.toBe("0x");
    const contract = as(stranger);
    expect(await contract.read("hasRole", [DEFAULT_ADMIN_ROLE, abiAddress(admin.address)])).toEqual([true]);
    expect(await contract.read("hasRole", [ANCHORER_ROLE, abiAddress(anchorer.address)])).toEqual([true]);
    expect(await contract.read("registry", [])).toEqual([chain.deployment.registry]);
    expect(await contract.read("batchVerifier", [])).toEqual([chain.deployment.batchVerifier]);
  });

  it("anchors a root, records when and what, and emits RootAnchored", async () => {
    const root = randomRoot();
    const receipt = await sendAndWait(as(anchorer), "anchor", [root, 3n, 1234n]);
    const contract = as(stranger);
    expect(receipt.logs.map((log) => contract.parseLog("RootAnchored", log))).toEqual([
      { root, batchCount: 3n, readingCount: 1234n, anchorer: anchorer.address },
    ]);
    const found = await contract.events("RootAnchored", [root], chain.deployment.blockNumber, receipt.blockNumber);
    expect(found.map((event) => event.transactionHash)).toEqual([receipt.hash]);
    const block = await chain.provider.getBlock(receipt.blockNumber);
    expect(await contract.read("anchorOf", [root])).toEqual([
      {
        blockNumber: BigInt(receipt.blockNumber),
        timestamp: BigInt(block?.timestamp ?? -1),
        batchCount: 3n,
        readingCount: 1234n,
      },
    ]);
    expect(await contract.read("anchorOf", [randomRoot()])).toEqual([
      { blockNumber: 0n, timestamp: 0n, batchCount: 0n, readingCount: 0n },
    ]);
  });

  it("refuses anchoring without the anchorer role, the zero root and a root anchored before", async () => {
    expect(await revertOf(sendAndWait(as(stranger), "anchor", [randomRoot(), 1n, 1n]))).toEqual({
      name: "AccessControlUnauthorizedAccount",
      args: [stranger.address, ANCHORER_ROLE],
    });
    expect(await revertOf(sendAndWait(as(anchorer), "anchor", [abiHex(ZeroHash), 1n, 1n]))).toEqual({
      name: "ZeroRoot",
      args: [],
    });
    const root = randomRoot();
    await sendAndWait(as(anchorer), "anchor", [root, 1n, 10n]);
    expect(await revertOf(sendAndWait(as(anchorer), "anchor", [root, 2n, 20n]))).toEqual({
      name: "AlreadyAnchored",
      args: [root],
    });
  });

  describe("anchorVerifiedBatch", () => {
    let batch: { proof: BatchProof; calldata: BatchProofCalldata };
    beforeAll(async () => {
      batch = await provenBatch(gateway.address, 12);
    });
    const submit = (signer: Wallet, calldata: BatchProofCalldata) =>
      sendAndWait(as(signer), "anchorVerifiedBatch", [calldata.pA, calldata.pB, calldata.pC, calldata.claims]);

    it("anchors a batch root whose proof verifies on chain and records its claims", async () => {
      const { calldata } = batch;
      const root = abiHex(toBeHex(calldata.claims.batchRoot, 32));
      const receipt = await submit(gateway, calldata);
      const emitted = events(receipt.logs);
      expect(emitted.map((event) => event.name)).toEqual(["BatchVerified", "RootAnchored"]);
      expect(emitted[0]?.args.toObject()).toEqual({
        root,
        gateway: gateway.address,
        windowStartSec: 1_763_000_000n,
        windowEndSec: 1_763_000_000n,
        readingCount: 12n,
        anomalyCount: 1n,
        streamsHash: calldata.claims.streamsHash,
      });
      expect(await as(stranger).read("verifiedBatchOf", [root])).toEqual([calldata.claims]);
      expect(await as(stranger).read("anchorOf", [root])).toMatchObject([{ batchCount: 1n, readingCount: 12n }]);
      expect(await revertOf(submit(anchorer, calldata))).toEqual({ name: "AlreadyAnchored", args: [root] });
    });

    it("refuses a proof that does not prove the claims", async () => {
      const other = await provenBatch(gateway.address, 13);
      const forged = { ...other.calldata, claims: { ...other.calldata.claims, anomalyCount: 0n } };
      expect(await revertOf(submit(anchorer, forged))).toEqual({
        name: "InvalidBatchProof",
        args: [toBeHex(forged.claims.batchRoot, 32)],
      });
      const swapped = { ...other.calldata, pA: batch.calldata.pA };
      expect((await revertOf(submit(anchorer, swapped))).name).toBe("InvalidBatchProof");
    }, 120_000);

    it("refuses a submitter that is neither the gateway nor an anchorer, and an unregistered gateway", async () => {
      const { calldata } = await provenBatch(gateway.address, 14);
      expect(await revertOf(submit(stranger, calldata))).toEqual({
        name: "NotBatchSubmitter",
        args: [stranger.address, gateway.address],
      });
      const unregistered = await provenBatch(stranger.address, 5);
      expect(await revertOf(submit(stranger, unregistered.calldata))).toEqual({
        name: "GatewayNotActive",
        args: [stranger.address],
      });
    }, 120_000);

    it("refuses claims that do not fit their types", async () => {
      const { calldata } = batch;
      const root = toBeHex(calldata.claims.batchRoot, 32);
      for (const claim of ["gatewayId", "windowStartSec", "windowEndSec", "readingCount", "anomalyCount"] as const) {
        const claims = { ...calldata.claims, [claim]: 2n ** 200n };
        expect(await revertOf(submit(anchorer, { ...calldata, claims })), claim).toEqual({
          name: "ClaimOutOfRange",
          args: [root],
        });
      }
    });
  });

  it("lets only the admin replace the verifier, never with the zero address", async () => {
    expect(await revertOf(sendAndWait(as(stranger), "setBatchVerifier", [abiAddress(stranger.address)]))).toEqual({
      name: "AccessControlUnauthorizedAccount",
      args: [stranger.address, DEFAULT_ADMIN_ROLE],
    });
    expect(await revertOf(sendAndWait(as(admin), "setBatchVerifier", [abiAddress(ZeroAddress)]))).toEqual({
      name: "ZeroAddress",
      args: [],
    });
    const receipt = await sendAndWait(as(admin), "setBatchVerifier", [abiAddress(chain.deployment.batchVerifier)]);
    expect(events(receipt.logs)[0]?.args.toObject()).toEqual({
      previousVerifier: chain.deployment.batchVerifier,
      newVerifier: chain.deployment.batchVerifier,
    });
  });

  it("upgrades only by the admin, keeping its records", async () => {
    const root = randomRoot();
    await sendAndWait(as(anchorer), "anchor", [root, 1n, 7n]);
    const next = await new ContractFactory(dataAnchorAbi, dataAnchorBytecode, admin).deploy();
    await next.waitForDeployment();
    const nextAddress = abiAddress(await next.getAddress());
    expect(await revertOf(sendAndWait(as(stranger), "upgradeToAndCall", [nextAddress, "0x"]))).toEqual({
      name: "AccessControlUnauthorizedAccount",
      args: [stranger.address, DEFAULT_ADMIN_ROLE],
    });
    await sendAndWait(as(admin), "upgradeToAndCall", [nextAddress, "0x"]);
    const slot = await chain.provider.getStorage(
      chain.deployment.address,
      "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc",
    );
    expect(toBeHex(BigInt(slot), 20).toLowerCase()).toBe(nextAddress.toLowerCase());
    expect(await as(stranger).read("anchorOf", [root])).toMatchObject([{ readingCount: 7n }]);
    // An upgrade to something that is not a UUPS implementation is refused by the proxy logic.
    expect(
      await revertOf(sendAndWait(as(admin), "upgradeToAndCall", [abiAddress(chain.deployment.batchVerifier), "0x"])),
    ).toEqual({
      name: "ERC1967InvalidImplementation",
      args: [chain.deployment.batchVerifier],
    });
    // An account without code reverts without any error data: nothing to decode.
    const eoaUpgrade = await sendAndWait(as(admin), "upgradeToAndCall", [abiAddress(stranger.address), "0x"]).catch(
      (error: unknown) => error,
    );
    expect(eoaUpgrade).toBeInstanceOf(Error);
    expect(decodeDataAnchorRevert(eoaUpgrade)).toBeUndefined();
  });

  it("cannot be initialized twice, nor with zero addresses", async () => {
    expect(
      await revertOf(
        sendAndWait(as(admin), "initialize", [
          abiAddress(admin.address),
          abiAddress(anchorer.address),
          abiAddress(chain.deployment.registry),
          abiAddress(chain.deployment.batchVerifier),
        ]),
      ),
    ).toEqual({
      name: "InvalidInitialization",
      args: [],
    });
    const failure = await deployEdgeContracts(admin, { anchorer: ZeroAddress }).catch((error: unknown) => error);
    expect(decodeDataAnchorRevert(failure)).toEqual({ name: "ZeroAddress", args: [] });
    const registryFailure = await deployEdgeContracts(admin, { anchorer: anchorer.address, admin: ZeroAddress }).catch(
      (error: unknown) => error,
    );
    expect(decodeDataAnchorRevert(registryFailure)).toEqual({ name: "ZeroAddress", args: [] });
    expect(decodeDataAnchorRevert(new Error("unrelated"))).toBeUndefined();
  });

  it("deployment rejects a malformed address before sending anything", async () => {
    await expect(deployDataAnchor(admin, "0x1234")).rejects.toBeInstanceOf(ContractsError);
    await expect(deployEdgeContracts(admin, { anchorer: anchorer.address, admin: "admin" })).rejects.toThrow(
      /admin is not an address/,
    );
  });
});
