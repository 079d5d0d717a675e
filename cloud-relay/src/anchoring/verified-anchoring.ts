import { bytes32ToField } from "@intelledger/circuits";
import { batchProofsCalldata, type BatchProofsCalldata } from "@intelledger/contracts";
import type { AnchorRecord, UnanchoredBatch } from "../store/anchor-ledger.js";
import type { BatchLedger } from "../store/batch-ledger.js";
import type { ProofLedger } from "../store/proof-ledger.js";

/** How batches are anchored with their proofs checked on chain. */
export interface VerifiedAnchoringOptions {
  /** Batches whose proofs one transaction checks together (DataAnchor.anchorVerifiedBatches). */
  batchesPerTransaction: number;
  /** How long a batch waits for its gateway's proof before it is anchored root-only. */
  proofWaitMs: number;
}

/** A snarkjs proof and its public signals, as the gateway sent them. */
interface ProvenBatch {
  proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[] };
  publicSignals: string[];
}

/** What one anchoring round does with the unanchored batches. */
export interface RoundPlan {
  /** Batches with a proof that verified, by gateway: each anchored as its own root, proofs checked on chain. */
  verified: UnanchoredBatch[];
  /** Batches whose proof was refused, or did not come within the wait: folded into one root. */
  rootOnly: UnanchoredBatch[];
}

/**
 * Chooses, per batch, between on-chain verification and the root-only anchor, and makes the
 * calldata of a verified transaction from the proofs the relay verified when they arrived.
 */
export class VerifiedAnchoring {
  readonly options: VerifiedAnchoringOptions;
  private readonly batches: BatchLedger;
  private readonly proofs: ProofLedger;

  constructor(options: VerifiedAnchoringOptions, stores: { batches: BatchLedger; proofs: ProofLedger }) {
    this.options = options;
    this.batches = stores.batches;
    this.proofs = stores.proofs;
  }

  /** A batch's stored proof, and the proof itself if it verified and is about this batch's root. */
  private async proofOf(batch: { gatewayId: string; sequence: number; readingsRoot: Uint8Array }) {
    const stored = await this.proofs.get(batch.gatewayId, batch.sequence);
    const proven: ProvenBatch | undefined =
      stored?.valid && stored.publicSignals[0] === bytes32ToField(batch.readingsRoot).toString()
        ? { proof: JSON.parse(stored.proof) as ProvenBatch["proof"], publicSignals: stored.publicSignals }
        : undefined;
    return { stored, proven };
  }

  /**
   * Batches with a verified proof go on chain with it; those whose proof failed, or has not come
   * `proofWaitMs` after the batch, go root-only; the rest wait for their proofs.
   */
  async plan(batches: readonly UnanchoredBatch[], nowMs: number): Promise<RoundPlan> {
    const plan: RoundPlan = { verified: [], rootOnly: [] };
    for (const batch of batches) {
      const { stored, proven } = await this.proofOf(batch);
      if (proven) plan.verified.push(batch);
      else if (stored || nowMs - batch.receivedAtMs >= this.options.proofWaitMs) plan.rootOnly.push(batch);
    }
    // A gateway's batches side by side: the contract asks the registry once per run of one gateway's batches.
    plan.verified.sort((a, b) => a.gatewayId.localeCompare(b.gatewayId) || a.sequence - b.sequence);
    return plan;
  }

  /**
   * The calldata of `anchorVerifiedBatches` for anchors of one batch each, or undefined when
   * one of them is not such an anchor or its batch has no verified proof.
   */
  async calldata(anchors: readonly AnchorRecord[]): Promise<BatchProofsCalldata | undefined> {
    const proven: ProvenBatch[] = [];
    for (const anchor of anchors) {
      const [batch, ...more] = anchor.batchCount === 1 ? await this.batches.byAnchor(anchor.id) : [];
      const batchProof = batch && more.length === 0 ? (await this.proofOf(batch)).proven : undefined;
      if (!batchProof) return undefined;
      proven.push(batchProof);
    }
    return batchProofsCalldata(proven);
  }
}
