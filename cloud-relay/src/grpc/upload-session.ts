import { batchHash, type SignedBatch, type UploadResponse } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayError } from "../errors.js";
import type { BatchLedger, ChainHead, LedgerBatch, LedgerGap } from "../store/batch-ledger.js";
import type { BatchVerifier } from "../verification/batch-verifier.js";
import type { ReadingsRootPool } from "../verification/readings-root-pool.js";
import type { UploadCounters } from "./gateway-relay-service.js";

interface Arrival {
  signed: SignedBatch;
  /** Hashing starts on arrival, so the worker threads work ahead of the checks. */
  root: Promise<bigint> | undefined;
}

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
    verifier: BatchVerifier;
    roots: ReadingsRootPool;
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
    const root = signed.batch && !signed.pruned ? this.deps.roots.root(signed.batch.gatewayId, signed.batch.readings) : undefined;
    root?.catch(() => undefined);
    this.waiting.push({ signed, root });
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
        for (const arrival of arrivals) outcomes.push(await this.check(arrival));
        const stored = outcomes.flatMap((outcome) => (outcome.store ? [outcome.store] : []));
        if (stored.length > 0) this.deps.ledger.appendAll(stored);
        this.count(stored);
        for (const outcome of outcomes) this.deps.send(outcome.ack);
      }
    } catch (error) {
      this.failed = true;
      this.deps.fail(error);
    } finally {
      this.draining = false;
    }
  }

  private async check({ signed, root }: Arrival): Promise<Outcome> {
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
