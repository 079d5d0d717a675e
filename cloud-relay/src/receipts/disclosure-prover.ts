import { BatchProverPool, disclosureCircuitInput, type ReadingInclusion } from "@intelledger/circuits";
import { RelayError } from "../errors.js";
import type { DisclosureLedger, LedgerDisclosure } from "../store/disclosure-ledger.js";

/** Disclosures that may wait for the prover; a receipt asked for beyond them is refused as unavailable. */
const MAX_QUEUED = 16;

/**
 * Makes readings' disclosure proofs for their receipts, once per reading, and keeps them in the
 * store. Proving runs in a child process at lower CPU priority, started on the first receipt
 * asked for, so snarkjs's memory stays out of the relay's.
 */
export class DisclosureProver {
  private readonly disclosures: DisclosureLedger;
  private pool: BatchProverPool | undefined;
  private readonly making = new Map<string, Promise<LedgerDisclosure>>();

  constructor(disclosures: DisclosureLedger) {
    this.disclosures = disclosures;
  }

  /** The disclosure of reading `inclusion.index` (gateway sequence `gatewaySeq`): stored, or made now. */
  async disclosure(gatewayId: string, gatewaySeq: number, inclusion: ReadingInclusion): Promise<LedgerDisclosure> {
    const stored = await this.disclosures.get(gatewayId, gatewaySeq);
    if (stored) return stored;
    const key = `${gatewayId}/${gatewaySeq}`;
    let made = this.making.get(key);
    if (made === undefined) {
      made = this.make(gatewayId, gatewaySeq, inclusion).finally(() => this.making.delete(key));
      this.making.set(key, made);
    }
    return made;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private async make(gatewayId: string, gatewaySeq: number, inclusion: ReadingInclusion): Promise<LedgerDisclosure> {
    this.pool ??= new BatchProverPool({ circuit: "reading-disclosure", isolation: "process", maxQueued: MAX_QUEUED });
    if (this.pool.full) {
      throw new RelayError("unavailable", "the relay is making other receipts' disclosure proofs: ask again shortly", {
        pending: this.pool.pending,
      });
    }
    const { proof, publicSignals } = await this.pool.prove(disclosureCircuitInput(inclusion));
    const disclosure = { gatewayId, gatewaySeq, proof: JSON.stringify(proof), publicSignals, madeAtMs: Date.now() };
    await this.disclosures.record(disclosure);
    return (await this.disclosures.get(gatewayId, gatewaySeq)) ?? disclosure;
  }
}
