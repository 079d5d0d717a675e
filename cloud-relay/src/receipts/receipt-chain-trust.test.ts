import { loadPoseidon, releaseSnarkThreads, type BatchProof } from "@intelledger/circuits";
import { batchProofCalldata, batchProofsCalldata, dataAnchorAbi, gatewayRegistryAbi } from "@intelledger/contracts";
import { startDeployedTestChain } from "@intelledger/contracts/test-chain";
import { committedKeyTrust, receiptSchema, verifyReceipt, type PublishedDeployment, type Receipt } from "@intelledger/verify";
import { Contract, hexlify, type ContractTransactionResponse, type Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { anchoredBatch, testReadings } from "../../test/receipt-fixture.js";
import { proveCommitment, recordProof } from "../../test/recorded-proof.js";

/** One salt seed for every build of a batch, so that its root, proof and receipt agree. */
const SALT_SEED = new Uint8Array(32).fill(7);

const chain = await startDeployedTestChain();
afterAll(async () => {
  await chain.stop();
  await releaseSnarkThreads();
});
const [admin, anchorer, gateway] = chain.wallets;
const { address, registry, batchVerifier, disclosureVerifier, blockNumber } = chain.deployment;
const deployment: PublishedDeployment = {
  chainId: chain.chainId,
  dataAnchor: address,
  registry,
  batchVerifier,
  disclosureVerifier,
  blockNumber,
};
const trust = committedKeyTrust({ chainId: chain.chainId, deployment, minConfirmations: 1, allowDevelopmentKey: true });
const hasher = await loadPoseidon();

describe("a receipt's trust anchored on chain", () => {
  const send = async (sent: Promise<ContractTransactionResponse>) => {
    const receipt = await (await sent).wait();
    if (!receipt) throw new Error("not mined");
    return { transactionHash: receipt.hash, blockNumber: receipt.blockNumber };
  };
  const call = (
    wallet: Wallet,
    address: string,
    abi: typeof dataAnchorAbi | typeof gatewayRegistryAbi,
    name: string,
    ...args: unknown[]
  ) => send(new Contract(address, abi, wallet).getFunction(name)(...args) as Promise<ContractTransactionResponse>);

  /** The gateway's batch of `readings` at a relay, recorded as anchored in `anchor` (none yet by default). */
  const batchOf = (
    readings: ReturnType<typeof testReadings>,
    anchor = { transactionHash: `0x${"00".repeat(32)}`, blockNumber: 0 },
  ) =>
    anchoredBatch({
      hasher,
      gateway,
      readings,
      anchor,
      contract: deployment.dataAnchor,
      chainId: chain.chainId,
      saltSeed: SALT_SEED,
    });

  /** The receipt of reading 2 of a batch of `readings`, anchored by `anchorTx` (sent with the batch's root), with its proof when given. */
  async function receiptOf(
    readings: ReturnType<typeof testReadings>,
    anchorTx: (root: string) => Promise<{ transactionHash: string; blockNumber: number }>,
    proof?: BatchProof,
  ): Promise<Receipt> {
    const fixture = await batchOf(readings);
    const built = await batchOf(readings, await anchorTx(hexlify(fixture.root)));
    await fixture.disclosures.close();
    await fixture.backend.destroy();
    if (proof) {
      await recordProof(built.proofs, proof, { gatewayId: gateway.address, batchSequence: 1, valid: true, verifiedAtMs: 0 });
    }
    const receipt = receiptSchema.parse(await built.builder.build(gateway.address, 2));
    await built.disclosures.close();
    await built.backend.destroy();
    return receipt;
  }

  const prove = async (readings: ReturnType<typeof testReadings>) => {
    const fixture = await batchOf(readings);
    await fixture.disclosures.close();
    await fixture.backend.destroy();
    return proveCommitment(fixture.commitment);
  };
  const anchorByRelay = (root: string) => call(anchorer, deployment.dataAnchor, dataAnchorAbi, "anchor", root, 1, 3);

  it("refuses a batch whose signer was not a registered gateway when it was anchored, even if registered later", async () => {
    const receipt = await receiptOf(testReadings(1), anchorByRelay);
    await expect(verifyReceipt(receipt, chain.provider, trust)).rejects.toMatchObject({ failure: "gateway_not_registered" });
    await call(admin, deployment.registry, gatewayRegistryAbi, "registerGateway", gateway.address);
    await expect(verifyReceipt(receipt, chain.provider, trust)).rejects.toMatchObject({ failure: "gateway_not_registered" });
  }, 120_000);

  it("refuses a root anchored by an account without the anchorer role", async () => {
    // The contract lets a registered gateway anchor its own proven batch; the relay's receipts come from its anchorer.
    const readings = testReadings(2);
    const proof = await prove(readings);
    const receipt = await receiptOf(
      readings,
      () => {
        const { pA, pB, pC, claims } = batchProofCalldata(proof.proof, proof.publicSignals);
        return call(gateway, deployment.dataAnchor, dataAnchorAbi, "anchorVerifiedBatch", pA, pB, pC, claims);
      },
      proof,
    );
    await expect(verifyReceipt(receipt, chain.provider, trust)).rejects.toMatchObject({ failure: "anchorer_not_authorized" });
  }, 180_000);

  it("verifies a batch anchored by the relay with its proof checked on chain beside another batch's", async () => {
    const readings = testReadings(4);
    const proof = await prove(readings);
    const other = await prove(testReadings(5));
    const receipt = await receiptOf(
      readings,
      () => {
        const { proofs, claims } = batchProofsCalldata([other, proof]);
        return call(anchorer, deployment.dataAnchor, dataAnchorAbi, "anchorVerifiedBatches", proofs, claims);
      },
      proof,
    );
    const verified = await verifyReceipt(receipt, chain.provider, trust);
    expect(verified).toMatchObject({
      verdict: "verified",
      anchorer: anchorer.address,
      transactionHash: receipt.anchor.transactionHash,
    });
    expect(receipt.anchor.siblings).toEqual([]);
  }, 180_000);

  it("verifies a registered gateway's batch anchored by the relay, and refuses a foreign key, the development key and too few confirmations", async () => {
    const readings = testReadings(3);
    const receipt = await receiptOf(readings, anchorByRelay, await prove(readings));
    const verified = await verifyReceipt(receipt, chain.provider, trust);
    expect(verified.verdict).toBe("verified");
    expect(verified.anchorer).toBe(anchorer.address);
    expect(verified.checked).toEqual(
      expect.arrayContaining(["verification_key", "anchorer", "gateway_registered", "confirmations"]),
    );

    const foreignKey = structuredClone(trust.verificationKey);
    const ic = foreignKey["IC"] as string[][];
    ic[1] = [(BigInt(ic[1]?.[0] ?? 0) + 1n).toString(), ic[1]?.[1] ?? "0", "1"];
    await expect(verifyReceipt(receipt, chain.provider, { ...trust, verificationKey: foreignKey })).rejects.toMatchObject({
      failure: "verification_key_mismatch",
    });
    await expect(verifyReceipt(receipt, chain.provider, { ...trust, allowDevelopmentKey: false })).rejects.toMatchObject({
      failure: "development_key",
    });
    const confirmations = (await chain.provider.getBlockNumber()) - receipt.anchor.blockNumber + 1;
    await expect(verifyReceipt(receipt, chain.provider, { ...trust, minConfirmations: confirmations + 1 })).rejects.toMatchObject(
      {
        failure: "too_few_confirmations",
      },
    );

    // Deactivated after the anchor: it was active when its batch was anchored.
    await call(admin, deployment.registry, gatewayRegistryAbi, "deactivateGateway", gateway.address);
    expect((await verifyReceipt(receipt, chain.provider, trust)).verdict).toBe("verified");
  }, 180_000);
});
