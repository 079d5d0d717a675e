import { bytes32ToField } from "@intelledger/circuits";
import { batchHash, type BatchProof, type SignedBatch, type UploadResponse } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayError } from "../errors.js";
import type { BatchLedger, ChainHead, LedgerBatch, LedgerGap } from "../store/batch-ledger.js";
import type { ProofLedger } from "../store/proof-ledger.js";
import type { BatchVerifier } from "../verification/batch-verifier.js";
import type { VerificationPool } from "../verification/verification-pool.js";
import type { UploadCounters } from "./upload-counters.js";

/** What came up the stream; the costly checks start on arrival, so the worker threads work ahead. */
type Arrival =
  | { kind: "batch"; signed: SignedBatch; root: Promise<bigint> | undefined }
  | { kind: "proof"; proof: BatchProof; valid: Promise<boolean> };

type Outcome = { store: { batch: LedgerBatch; gap: LedgerGap | undefined } | undefined; ack: UploadResponse };

function ack(sequence: number, hash: Uint8Array): UploadResponse {
  return { message: { $case: "ack", value: { sequence, batchHash: hash } } };
}

/**
 * One gateway's upload stream. Batches are checked strictly in order against the chain as
 * it stands after the batches before them, so the chain head is kept here, in memory,
 * ahead of the database. Whatever has been checked when the database is free is stored
 * in one transaction (one fsync for many batches), and only then acknowledged.
 */
export class UploadSession {
  private readonly gatewayId: string;
  private readonly deps: {
    ledger: BatchLedger;
    proofs: ProofLedger;
    verifier: BatchVerifier;
    verification: VerificationPool;
    counters: UploadCounters;
    logger: Logger;
    send: (response: UploadResponse) => void;
    fail: (error: unknown) => void;
  };
  private readonly waiting: Arrival[] = [];
  private head: ChainHead | undefined;
  private readonly classHeads = new Map<number, number>();
  private draining = false;
  private failed = false;

  constructor(gatewayId: string, deps: UploadSession["deps"]) {
    this.gatewayId = gatewayId;
    this.deps = deps;
    this.head = deps.ledger.head(gatewayId);
  }

  receive(signed: SignedBatch): void {
    if (this.failed) return;
    const root = signed.batch && !signed.pruned ? this.deps.verification.root(signed.batch) : undefined;
    root?.catch(() => undefined);
    this.enqueue({ kind: "batch", signed, root });
  }

  receiveProof(proof: BatchProof): void {
    if (this.failed) return;
    const valid = this.deps.verification.proofValid(proof.proof, proof.publicSignals);
    valid.catch(() => undefined);
    this.enqueue({ kind: "proof", proof, valid });
  }

  private enqueue(arrival: Arrival): void {
    this.waiting.push(arrival);
    if (!this.draining) void this.drain();
  }

  /** Resolves once everything received so far is stored and acknowledged (or the session failed). */
  async settled(): Promise<boolean> {
    while (this.draining) await new Promise((resolve) => setImmediate(resolve));
    return !this.failed;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0 && !this.failed) {
        const arrivals = this.waiting.splice(0, this.waiting.length);
        const outcomes: Outcome[] = [];
        for (const arrival of arrivals) if (arrival.kind === "batch") outcomes.push(await this.check(arrival));
        const stored = outcomes.flatMap((outcome) => (outcome.store ? [outcome.store] : []));
        if (stored.length > 0) this.deps.ledger.appendAll(stored);
        this.count(stored);
        for (const outcome of outcomes) this.deps.send(outcome.ack);
        // Proofs after the batches they prove, which are stored by now.
        for (const arrival of arrivals)
          if (arrival.kind === "proof") this.deps.send(await this.checkProof(arrival.proof, arrival.valid));
      }
    } catch (error) {
      this.failed = true;
      this.deps.fail(error);
    } finally {
      this.draining = false;
    }
  }

  /** Records whether the proof holds for the stored batch: its root and gateway must be the batch's, and the proof must verify. */
  private async checkProof(proof: BatchProof, valid: Promise<boolean>): Promise<UploadResponse> {
    const { sequence, publicSignals } = proof;
    const batch = this.deps.ledger.get(this.gatewayId, sequence);
    if (!batch)
      throw new RelayError("failed_precondition", `proof of batch ${sequence}, which the relay does not hold`, { sequence });
    const [root, gateway] = publicSignals;
    const matches = root === String(bytes32ToField(batch.readingsRoot)) && gateway === String(BigInt(this.gatewayId));
    const verified = matches && (await valid);
    this.deps.proofs.record({
      gatewayId: this.gatewayId,
      batchSequence: sequence,
      valid: verified,
      proof: Buffer.from(proof.proof).toString("utf8"),
      publicSignals,
      verifiedAtMs: Date.now(),
    });
    if (verified) this.deps.counters.proofsVerified++;
    else {
      this.deps.counters.proofsInvalid++;
      this.deps.logger.warn({ gatewayId: this.gatewayId, sequence, matchesBatch: matches }, "batch proof does not verify");
    }
    return { message: { $case: "proofAck", value: { sequence, valid: verified } } };
  }

  private async check({ signed, root }: Extract<Arrival, { kind: "batch" }>): Promise<Outcome> {
    const { ledger, verifier, counters } = this.deps;
    const sequence = signed.batch?.sequence ?? 0;
    if (signed.batch && this.head && sequence <= this.head.sequence) {
      // A resend of a batch the relay stored before (its ack was lost): ack it again. The
      // stored copy was verified when it arrived; the resent readings are not used.
      const stored = ledger.get(this.gatewayId, sequence);
      if (!stored || !Buffer.from(batchHash(signed.batch)).equals(Buffer.from(stored.batchHash))) {
        throw new RelayError("already_exists", `batch ${sequence} is already stored with different content`, { sequence });
      }
      counters.duplicatesAcked++;
      return { store: undefined, ack: ack(sequence, stored.batchHash) };
    }
    const checked = verifier.check(signed, this.gatewayId, this.head, (dataClass) => this.classHead(dataClass), Date.now());
    if (checked.rootToVerify !== undefined && (await (root as Promise<bigint>)) !== checked.rootToVerify) {
      throw new RelayError("invalid_argument", `batch ${sequence} readings do not match its signed root`, { sequence });
    }
    const { batch } = checked;
    this.head = { sequence: batch.sequence, batchHash: batch.batchHash, lastGatewaySeq: batch.lastGatewaySeq };
    this.classHeads.set(batch.dataClass, batch.lastGatewaySeq);
    return { store: { batch, gap: checked.gap }, ack: ack(sequence, batch.batchHash) };
  }

  private classHead(dataClass: number): number {
    let head = this.classHeads.get(dataClass);
    if (head === undefined) {
      head = this.deps.ledger.classHead(this.gatewayId, dataClass);
      this.classHeads.set(dataClass, head);
    }
    return head;
  }

  private count(stored: readonly { batch: LedgerBatch; gap: LedgerGap | undefined }[]): void {
    const { counters, logger } = this.deps;
    for (const { batch, gap } of stored) {
      counters.batchesStored++;
      if (!gap) {
        counters.readingsStored += batch.readingCount;
        continue;
      }
      counters.gapsRecorded++;
      logger.warn(
        { gatewayId: this.gatewayId, sequence: batch.sequence, reason: gap.reason, readings: gap.readingCount },
        "gateway declared a gap",
      );
    }
  }
}
