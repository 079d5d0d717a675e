// A relay's ledgers holding one signed batch, anchored and confirmed in a given transaction:
// what the relay's ReceiptBuilder makes receipts from, without a running relay.
import { randomBytes } from "node:crypto";
import { BatchCommitment, fieldToBytes32, SALT_SEED_BYTES, type PoseidonHasher } from "@intelledger/circuits";
import { Batch, batchHash, batchWithReadings, sealedBatchHeader, signBatch } from "@intelledger/proto/relay";
import type { Wallet } from "ethers";
import { DisclosureProver } from "../src/receipts/disclosure-prover.js";
import { ReceiptBuilder } from "../src/receipts/receipt-builder.js";
import { sqliteBackend, type StoreBackend } from "./relay-store-backends.js";

/** Three readings of one stream; `offset` moves their values, so each offset gives another batch root. */
export function testReadings(offset = 0): Batch["readings"] {
  return Array.from({ length: 3 }, (_, index) => ({
    gatewaySeq: 1 + index,
    deviceId: "esp32-01",
    frameCounter: BigInt(1 + index),
    channel: 1,
    channelIndex: 0,
    sampledAtMs: 1_763_000_000_000 + index,
    receivedAtMs: 1_763_000_000_100 + index,
    value: 2_000 + index + offset,
    scale: 2,
    timeUncertain: false,
    receivedBoot: 1,
    receivedUptimeMs: index,
    anomalous: false,
  }));
}

export interface AnchoredBatchOptions {
  hasher: PoseidonHasher;
  gateway: Wallet;
  readings: Batch["readings"];
  /** The anchor transaction the relay recorded as confirmed. */
  anchor: { transactionHash: string; blockNumber: number };
  contract: string;
  chainId: number;
  /** The batch's salt seed: a fresh random one (layout 2) unless given; empty for layout 1. */
  saltSeed?: Uint8Array;
}

/**
 * Batch 1 of `gateway` holding `readings`, signed, stored in a SQLite store of its own and
 * anchored alone (its root is the anchored root). `disclosures.close()` ends the disclosure
 * prover, `backend.destroy()` removes the store.
 */
export async function anchoredBatch(options: AnchoredBatchOptions) {
  const { hasher, gateway, readings } = options;
  const backend: StoreBackend = await sqliteBackend();
  const { batches, anchors, proofs, leadership, disclosures: disclosureLedger } = await backend.open();
  const term = (await leadership.claim()) ?? 0;
  const saltSeed = options.saltSeed ?? randomBytes(SALT_SEED_BYTES);
  const commitment = BatchCommitment.build(hasher, {
    gatewayId: gateway.address,
    readings,
    saltSeed: saltSeed.length === 0 ? undefined : saltSeed,
  });
  const root = fieldToBytes32(commitment.root);
  const header = sealedBatchHeader(
    {
      gatewayId: gateway.address,
      sequence: 1,
      previousBatchHash: new Uint8Array(32),
      readingsRoot: root,
      sealedAtMs: 1_763_000_001_000,
      dataClass: 1,
    },
    readings,
  );
  const batch = batchWithReadings(header, readings, [], saltSeed);
  await batches.touchGateway(gateway.address, 0);
  await batches.appendAll([
    {
      batch: {
        ...batch,
        batchHash: batchHash(batch),
        receivedAtMs: 0,
        signature: await signBatch(gateway, batch),
        payload: Batch.encode(batch).finish(),
      },
      gap: undefined,
    },
  ]);
  // Alone in its anchor, the batch's root is the anchor's root: its path has no siblings.
  const alone = (await anchors.unanchored(10)).map((unanchored) => ({ ...unanchored, siblings: [] }));
  const pending = await anchors.createPending(root, alone, 0, term);
  await anchors.markSubmitted(pending.id, { hash: options.anchor.transactionHash, nonce: 0 }, 0, term);
  await anchors.markConfirmed(pending.id, { number: options.anchor.blockNumber, hash: `0x${"cd".repeat(32)}` }, 0, term);
  const disclosures = new DisclosureProver(disclosureLedger);
  const builder = new ReceiptBuilder({
    batches,
    anchors,
    proofs,
    disclosures,
    hasher,
    contract: options.contract,
    chainId: options.chainId,
  });
  return { builder, proofs, disclosures, commitment, root, backend };
}
