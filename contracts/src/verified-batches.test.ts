import { releaseSnarkThreads, type BatchProof } from "@intelledger/circuits";
import type { Wallet } from "ethers";
import { toBeHex } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchProofsCalldata, type BatchProofsCalldata } from "./batch-proof-calldata.js";
import { revertOf, sendAndWait } from "./contract-calls.js";
import { batchProofVerifierAbi } from "./generated/batch-proof-verifier-artifact.js";
import { dataAnchorAbi } from "./generated/data-anchor-artifact.js";
import { abiHex, TypedContract } from "./typed-contract.js";
import { provenBatch as proveTestBatch } from "../test/proven-batch.js";
import { startDeployedTestChain, type DeployedTestChain } from "../test/test-chain.js";

/** The BN254 base field (coordinates) and scalar field (public signals). */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

let firstSeq = 1;
/** A real batch sealed by `gateway`, and its proof; every call a new root. */
async function provenBatch(gateway: string, readingCount: number): Promise<BatchProof> {
  firstSeq += readingCount;
  return proveTestBatch(gateway, readingCount, firstSeq - readingCount);
}

/** A copy of `calldata` with `edit` applied to it (the original stays valid). */
function altered(calldata: BatchProofsCalldata, edit: (copy: BatchProofsCalldata) => void): BatchProofsCalldata {
  const copy = structuredClone(calldata);
  edit(copy);
  return copy;
}

describe("DataAnchor.anchorVerifiedBatches", () => {
  let chain: DeployedTestChain;
  let anchorer: Wallet;
  let stranger: Wallet;
  let gateway: Wallet;
  let otherGateway: Wallet;
  let proofs: BatchProof[];

  beforeAll(async () => {
    chain = await startDeployedTestChain();
    [, anchorer, stranger, gateway, otherGateway] = chain.wallets;
    await chain.registerGateways(gateway, otherGateway);
    proofs = [];
    for (const [signer, readings] of [
      [gateway, 12],
      [gateway, 7],
      [otherGateway, 9],
      [gateway, 5],
    ] as const)
      proofs.push(await provenBatch(signer.address, readings));
  }, 300_000);

  afterAll(async () => {
    await chain?.stop();
    await releaseSnarkThreads();
  });

  const as = (signer: Wallet) => new TypedContract(chain.deployment.address, dataAnchorAbi, signer);
  const submit = (signer: Wallet, calldata: BatchProofsCalldata) =>
    sendAndWait(as(signer), "anchorVerifiedBatches", [calldata.proofs, calldata.claims]);
  const rootOf = (claims: { batchRoot: bigint }) => abiHex(toBeHex(claims.batchRoot, 32));
  const notAnchored = async (calldata: BatchProofsCalldata) => {
    for (const claims of calldata.claims)
      expect(await as(stranger).read("anchorOf", [rootOf(claims)])).toMatchObject([{ blockNumber: 0n }]);
  };

  it("anchors several batch roots in one transaction, each as its own root, their claims emitted", async () => {
    const calldata = batchProofsCalldata(proofs.slice(0, 3));
    const receipt = await submit(anchorer, calldata);
    const emitted = receipt.logs.map((log) => as(stranger).contract.interface.parseLog(log)).filter((event) => event !== null);
    expect(emitted.map((event) => [event.name, String(event.args[0])])).toEqual(
      calldata.claims.flatMap((claims) => [
        ["BatchVerified", rootOf(claims)],
        ["RootAnchored", rootOf(claims)],
      ]),
    );
    expect(emitted[4]?.args.toObject()).toMatchObject({ gateway: otherGateway.address, readingCount: 9n, anomalyCount: 1n });
    expect(emitted[5]?.args.toObject()).toMatchObject({ batchCount: 1n, readingCount: 9n, anchorer: anchorer.address });
    for (const claims of calldata.claims) {
      expect(await as(stranger).read("anchorOf", [rootOf(claims)])).toMatchObject([
        { blockNumber: BigInt(receipt.blockNumber), batchCount: 1n, readingCount: claims.readingCount },
      ]);
      // Claims are emitted, not stored.
      expect(await as(stranger).read("verifiedBatchOf", [rootOf(claims)])).toMatchObject([{ batchRoot: 0n }]);
    }
    // A root anchored before makes the whole transaction revert.
    const again = batchProofsCalldata([proofs[3] as BatchProof, proofs[0] as BatchProof]);
    expect(await revertOf(submit(anchorer, again))).toEqual({ name: "AlreadyAnchored", args: [rootOf(calldata.claims[0]!)] });
    await notAnchored(batchProofsCalldata([proofs[3] as BatchProof]));
  });

  it("lets a gateway anchor its own batches, nobody else's, and refuses an inactive gateway", async () => {
    const own = batchProofsCalldata([proofs[3] as BatchProof]);
    expect(await revertOf(submit(stranger, own))).toEqual({
      name: "NotBatchSubmitter",
      args: [stranger.address, gateway.address],
    });
    // proofs[2] is the other gateway's.
    expect(await revertOf(submit(gateway, batchProofsCalldata(proofs.slice(0, 3))))).toEqual({
      name: "NotBatchSubmitter",
      args: [gateway.address, otherGateway.address],
    });
    await submit(gateway, own);
    const unregistered = batchProofsCalldata([await provenBatch(stranger.address, 3)]);
    expect(await revertOf(submit(anchorer, unregistered))).toEqual({ name: "GatewayNotActive", args: [stranger.address] });
  }, 120_000);

  it("needs one proof per batch, and a batch", async () => {
    const calldata = batchProofsCalldata(proofs.slice(0, 3));
    expect(await revertOf(submit(anchorer, { proofs: calldata.proofs.slice(1), claims: calldata.claims }))).toEqual({
      name: "BatchCountMismatch",
      args: [2n, 3n],
    });
    expect(await revertOf(submit(anchorer, { proofs: [], claims: [] }))).toEqual({ name: "BatchCountMismatch", args: [0n, 0n] });
  });

  describe("reverts the whole transaction for one bad proof among several", () => {
    let valid: BatchProofsCalldata;
    beforeAll(async () => {
      valid = batchProofsCalldata([
        await provenBatch(gateway.address, 6),
        await provenBatch(otherGateway.address, 8),
        await provenBatch(gateway.address, 4),
      ]);
    }, 120_000);

    const refused = async (calldata: BatchProofsCalldata, label: string) => {
      expect(await revertOf(submit(anchorer, calldata)), label).toEqual({ name: "InvalidBatchProofs", args: [3n] });
      await notAnchored(calldata);
    };

    it("an altered public input", async () => {
      for (const index of [0, 1, 2]) {
        await refused(
          altered(valid, (copy) => void (copy.claims[index]!.anomalyCount += 1n)),
          `anomaly count of batch ${index}`,
        );
      }
      await refused(
        altered(valid, (copy) => void (copy.claims[2]!.windowEndSec += 1n)),
        "window end of the last batch",
      );
    });

    it("a public input moved from one batch to another, which an unweighted sum would not notice", async () => {
      await refused(
        altered(valid, (copy) => {
          copy.claims[0]!.readingCount += 1n;
          copy.claims[2]!.readingCount -= 1n;
        }),
        "reading counts shifted between batches 0 and 2",
      );
    });

    it("a proof reused for another root", async () => {
      await refused(
        altered(valid, (copy) => void (copy.proofs[1] = structuredClone(copy.proofs[0]!))),
        "batch 0's proof for batch 1",
      );
      await refused(
        altered(valid, (copy) => {
          [copy.proofs[0], copy.proofs[2]] = [copy.proofs[2]!, copy.proofs[0]!];
        }),
        "proofs of batches 0 and 2 swapped",
      );
      await refused(
        altered(valid, (copy) => void (copy.claims[1]!.batchRoot = copy.claims[0]!.batchRoot + 1n)),
        "batch 1's proof for another root",
      );
    });

    it("a point off the curve, a coordinate or a signal outside its field", async () => {
      for (const index of [0, 1]) {
        await refused(
          altered(valid, (copy) => void (copy.proofs[index]!.pA = [1n, 3n])),
          `A of batch ${index} off the curve`,
        );
        await refused(
          altered(valid, (copy) => void (copy.proofs[index]!.pC[1] += 1n)),
          `C of batch ${index} off the curve`,
        );
        await refused(
          altered(valid, (copy) => void (copy.proofs[index]!.pA[1] += Q)),
          `A.y of batch ${index} not below q`,
        );
      }
      await refused(
        altered(valid, (copy) => void (copy.proofs[2]!.pB[0][0] += 1n)),
        "B of batch 2 off the curve",
      );
      await refused(
        altered(valid, (copy) => void (copy.proofs[1]!.pB[1][1] += Q)),
        "B.y of batch 1 not below q",
      );
      await refused(
        altered(valid, (copy) => void (copy.claims[1]!.batchRoot += R)),
        "batch 1's root plus r: the same signal mod r, another bytes32 root",
      );
    });

    it("and anchors them all once every proof is right", async () => {
      const receipt = await submit(anchorer, valid);
      expect(receipt.status).toBe(1);
      for (const claims of valid.claims)
        expect(await as(stranger).read("anchorOf", [rootOf(claims)])).toMatchObject([{ batchCount: 1n }]);
    });
  });

  it("verifies proofs together in the verifier, as it verifies one alone", async () => {
    const verifier = new TypedContract(chain.deployment.batchVerifier, batchProofVerifierAbi, chain.provider);
    const calldata = batchProofsCalldata(proofs);
    const flat = calldata.proofs.map(({ pA, pB, pC }) => [...pA, ...pB[0], ...pB[1], ...pC] as const);
    const signals = calldata.claims.map(
      ({ batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash }) =>
        [batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash] as const,
    );
    expect(await verifier.read("verifyProofs", [flat, signals])).toEqual([true]);
    expect(await verifier.read("verifyProofs", [flat.slice(0, 1), signals.slice(0, 1)])).toEqual([true]);
    expect(await verifier.read("verifyProofs", [flat, signals.slice(1)])).toEqual([false]);
    const { pA, pB, pC } = calldata.proofs[0]!;
    expect(await verifier.read("verifyProof", [pA, pB, pC, signals[0]!])).toEqual([true]);
  });
});
