import { bytes32ToField } from "@intelledger/circuits";
import type { BatchProof, UploadResponse } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import { RelayError, RelayRefusal } from "../errors.js";
import type { BatchLedger, ChainHead, LedgerBatch, LedgerGap } from "../store/batch-ledger.js";
import type { ProofLedger } from "../store/proof-ledger.js";
import type { BatchVerifier, ChainPosition } from "../verification/batch-verifier.js";
import type { VerificationPool } from "../verification/verification-pool.js";
import type { ReadingsVerdict } from "../verification/verification-worker.js";
import type { BatchTrace, UploadTracing } from "../telemetry/upload-tracing.js";
import type { UploadCounters } from "./upload-counters.js";
import type { ReceivedBatch } from "./upload-request-decoder.js";

/** One upload stream's end, as the chain answers it. */
export interface UploadPort {
  /** True once the stream was refused: nothing more is checked or answered for it. */
  readonly failed: boolean;
  /** The stream's request id, and its logger carrying it. */
  readonly requestId: string;
  readonly logger: Logger;
  /** The W3C trace context the stream's metadata carried. */
  readonly traceCarrier: Readonly<Record<string, string>>;
  send(response: UploadResponse): void;
  fail(error: unknown): void;
}

export interface GatewayChainDeps {
  ledger: BatchLedger;
  proofs: ProofLedger;
  verifier: BatchVerifier;
  verification: Pick<VerificationPool, "readings" | "proofValid">;
  counters: UploadCounters;
  logger: Logger;
  /** Told how long each acknowledged batch took from arrival to ack (seconds). */
  onAcked?: (seconds: number) => void;
  /** Traces of each batch, when tracing is on. */
  tracing?: UploadTracing;
}

/** What came up a stream; the readings are checked in a worker from arrival on, so the threads work ahead. */
type Arrival =
  | {
      kind: "batch";
      port: UploadPort;
      received: ReceivedBatch;
      readings: Promise<ReadingsVerdict> | undefined;
      /** Whether the readings' verdict is in (or there is none to wait for). */
      verdictIn: boolean;
      arrivedAtMs: number;
      trace: BatchTrace | undefined;
    }
  | { kind: "proof"; port: UploadPort; proof: BatchProof; valid: Promise<boolean> };

type Stored = { batch: LedgerBatch; gap: LedgerGap | undefined };
type Answer = {
  port: UploadPort;
  ack: UploadResponse;
  store: Stored | undefined;
  arrivedAtMs: number;
  trace: BatchTrace | undefined;
};

function ack(sequence: number, hash: Uint8Array): UploadResponse {
  return { message: { $case: "ack", value: { sequence, batchHash: hash } } };
}

function verdictIn(arrival: Arrival): boolean {
  return arrival.kind === "proof" || arrival.verdictIn;
}

/**
 * One gateway's record as its upload streams extend it. Every stream of the gateway feeds
 * the same chain, which checks batches strictly in arrival order against the record as it
 * stands after the batches before them (kept here, in memory, ahead of the database), so
 * two streams racing on one sequence get one stored and the other a duplicate ack or a
 * precise refusal, and no stream works from a stale head. Whatever has been verified when
 * the database is free is stored in one transaction (one fsync for many batches), and only
 * then acknowledged. If storing fails (another replica stored first, say), the chain reloads
 * its record from the database before checking anything more.
 */
export class GatewayChain {
  readonly gatewayId: string;
  private readonly deps: GatewayChainDeps;
  private readonly waiting: Arrival[] = [];
  private readonly classHeads = new Map<number, number>();
  private head: ChainHead | undefined;
  private frontier = 0;
  private accounted = 0;
  private draining = false;
  /** Set until the record is loaded from the database, or again after storing failed. */
  private stale = true;

  constructor(gatewayId: string, deps: GatewayChainDeps) {
    this.gatewayId = gatewayId;
    this.deps = deps;
  }

  /**
   * Where the gateway's record stands in the database (another replica may have extended it).
   * A gateway may upload before it registers (after a relay restart, say): its row is made here.
   */
  private async reload(): Promise<void> {
    const { ledger } = this.deps;
    await ledger.touchGateway(this.gatewayId, Date.now());
    this.head = await ledger.head(this.gatewayId);
    this.classHeads.clear();
    // As of the head just read: another replica may store more meanwhile.
    ({ frontier: this.frontier, accounted: this.accounted } = await ledger.accounting(this.gatewayId, this.head?.sequence ?? 0));
    this.stale = false;
  }

  receive(port: UploadPort, received: ReceivedBatch): void {
    const readings = received.pruned ? undefined : this.deps.verification.readings(received.encoded);
    const trace = this.deps.tracing?.batchArrived({
      gatewayId: this.gatewayId,
      sequence: received.header.sequence,
      readingCount: received.readingsOnWire,
      requestId: port.requestId,
      carrier: port.traceCarrier,
    });
    const arrival: Arrival = {
      kind: "batch",
      port,
      received,
      readings,
      verdictIn: readings === undefined,
      arrivedAtMs: performance.now(),
      trace,
    };
    const verdictArrived = () => (arrival.verdictIn = true);
    readings?.then(verdictArrived, verdictArrived);
    this.enqueue(arrival);
  }

  receiveProof(port: UploadPort, proof: BatchProof): void {
    const valid = this.deps.verification.proofValid(proof.proof, proof.publicSignals);
    valid.catch(() => undefined);
    this.enqueue({ kind: "proof", port, proof, valid });
  }

  /** Resolves once everything received so far has been stored and answered, or refused. */
  async settled(): Promise<void> {
    while (this.draining || this.waiting.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private enqueue(arrival: Arrival): void {
    this.waiting.push(arrival);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        if (this.stale) await this.loadOrRefuse();
        const arrivals = await this.takeVerified();
        const answers: Answer[] = [];
        const checkedHashes = new Map<number, Uint8Array>();
        for (const arrival of arrivals) {
          if (arrival.kind !== "batch") continue;
          if (arrival.port.failed) {
            arrival.trace?.failed(new Error("the upload stream was refused before the batch was checked"));
            continue;
          }
          try {
            answers.push(await this.check(arrival, checkedHashes));
            arrival.trace?.verified();
          } catch (error) {
            arrival.trace?.failed(error);
            arrival.port.fail(error);
          }
        }
        if (!(await this.store(answers))) continue;
        this.acknowledge(answers);
        // Proofs after the batches they prove, which are stored by now.
        for (const arrival of arrivals) {
          if (arrival.kind !== "proof" || arrival.port.failed) continue;
          try {
            arrival.port.send(await this.checkProof(arrival.proof, arrival.valid, arrival.port.logger));
          } catch (error) {
            arrival.port.fail(error);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * The arrivals to check, store and acknowledge together: the first one waiting, once its
   * readings' verdict is in, and those after it whose verdicts are in too. Waiting for the
   * verdicts of everything that has arrived would hold every ack back until the last batch
   * sent is verified, leaving the gateway's window full and the workers idle in between.
   */
  private async takeVerified(): Promise<Arrival[]> {
    const first = this.waiting[0];
    if (first?.kind === "batch") await first.readings?.catch(() => undefined);
    let count = 1;
    while (count < this.waiting.length && verdictIn(this.waiting[count] as Arrival)) count++;
    return this.waiting.splice(0, count);
  }

  /** Loads the record; when the database does not answer, refuses everything waiting (the gateways send it again). */
  private async loadOrRefuse(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      const waiting = this.waiting.splice(0, this.waiting.length);
      const refusal = this.unavailable(error, waiting[0]?.port.logger);
      for (const arrival of waiting) {
        if (arrival.kind === "batch") arrival.trace?.failed(refusal);
        arrival.port.fail(refusal);
      }
    }
  }

  /** Sends each stream its acks; the batches' upload spans end here. */
  private acknowledge(answers: readonly Answer[]): void {
    const { onAcked } = this.deps;
    const nowMs = performance.now();
    for (const { port, ack, arrivedAtMs, trace } of answers) {
      if (port.failed) {
        trace?.failed(new Error("the upload stream was refused before the ack"));
        continue;
      }
      port.send(ack);
      trace?.acked();
      onAcked?.((nowMs - arrivedAtMs) / 1_000);
    }
  }

  private unavailable(error: unknown, logger: Logger = this.deps.logger): unknown {
    if (error instanceof RelayError) return error;
    logger.error({ err: error, gatewayId: this.gatewayId }, "storing batches failed");
    return new RelayRefusal(
      "unavailable",
      "storage_unavailable",
      "the relay could not store the batches; send them again",
      {},
      { cause: error },
    );
  }

  /** Stores what was checked; on failure refuses the streams that sent it and reloads the record. */
  private async store(answers: readonly Answer[]): Promise<boolean> {
    const storing = answers.filter((answer) => answer.store !== undefined);
    if (storing.length === 0) return true;
    const stored = storing.map((answer) => ({ ...(answer.store as Stored), port: answer.port }));
    for (const { trace } of storing) trace?.storing();
    try {
      await this.deps.ledger.appendAll(stored);
    } catch (error) {
      this.stale = true;
      const refusal = this.unavailable(error, storing[0]?.port.logger);
      for (const { port, trace } of answers) {
        trace?.failed(refusal);
        port.fail(refusal);
      }
      return false;
    }
    for (const { trace } of storing) trace?.stored();
    this.count(stored);
    return true;
  }

  private async check(arrival: Extract<Arrival, { kind: "batch" }>, checkedHashes: Map<number, Uint8Array>): Promise<Answer> {
    const { ledger, verifier, counters } = this.deps;
    const { received, port, arrivedAtMs, trace } = arrival;
    const { header } = received;
    const { sequence } = header;
    const nowMs = Date.now();
    // A resend is checked as strictly as a first send: signature, header and readings.
    const check = verifier.checkSigned(received, this.gatewayId, nowMs);
    if (arrival.readings) {
      const verdict = await arrival.readings;
      if ("mismatch" in verdict) {
        throw new RelayRefusal("invalid_argument", "batch_readings", verdict.mismatch.message, verdict.mismatch.details);
      }
      if (BigInt(verdict.root) !== check.rootToVerify) {
        throw new RelayRefusal("invalid_argument", "readings_root", `batch ${sequence} readings do not match its signed root`, {
          sequence,
        });
      }
    }
    if (this.head && sequence <= this.head.sequence) {
      // Sent again (its ack was lost, or another stream of the gateway sent it too): acked
      // again once stored, when it is the batch the relay holds.
      const held = checkedHashes.get(sequence) ?? (await ledger.batchHashOf(this.gatewayId, sequence));
      if (!held) throw new RelayError("internal", `batch ${sequence} is below the chain head but not stored`, { sequence });
      if (Buffer.compare(held, check.batchHash) !== 0) {
        throw new RelayRefusal("already_exists", "resend_differs", `batch ${sequence} is already stored with different content`, {
          sequence,
        });
      }
      counters.duplicatesAcked++;
      return { port, ack: ack(sequence, held), store: undefined, arrivedAtMs, trace };
    }
    if (!this.classHeads.has(header.dataClass)) {
      const through = this.head?.sequence ?? 0;
      this.classHeads.set(header.dataClass, await ledger.classHead(this.gatewayId, header.dataClass, through));
    }
    verifier.checkLink(header, this.position());
    const batch = verifier.toLedgerBatch(received, check, nowMs);
    this.head = { sequence, batchHash: batch.batchHash, lastGatewaySeq: batch.lastGatewaySeq };
    this.classHeads.set(batch.dataClass, batch.lastGatewaySeq);
    this.frontier = Math.max(this.frontier, batch.lastGatewaySeq);
    this.accounted += batch.readingCount;
    checkedHashes.set(sequence, batch.batchHash);
    return { port, ack: ack(sequence, batch.batchHash), store: { batch, gap: check.gap }, arrivedAtMs, trace };
  }

  /** The record as checked so far; the class head of the batch being checked was loaded before. */
  private position(): ChainPosition {
    return {
      head: this.head,
      classHead: (dataClass) => this.classHeads.get(dataClass) ?? 0,
      frontier: this.frontier,
      accounted: this.accounted,
    };
  }

  /**
   * Records whether the proof holds for the stored batch: its root and gateway must be the
   * batch's, and the proof must verify. The first proof of a batch is kept; another one is
   * answered with the first one's verdict and `alreadyRecorded`.
   */
  private async checkProof(proof: BatchProof, valid: Promise<boolean>, logger: Logger): Promise<UploadResponse> {
    const { ledger, proofs, counters } = this.deps;
    const { sequence, publicSignals } = proof;
    const proofAck = (verdict: boolean, alreadyRecorded: boolean): UploadResponse => ({
      message: { $case: "proofAck", value: { sequence, valid: verdict, alreadyRecorded } },
    });
    const batch = await ledger.get(this.gatewayId, sequence);
    if (!batch) {
      throw new RelayRefusal(
        "failed_precondition",
        "proof_without_batch",
        `proof of batch ${sequence}, which the relay does not hold`,
        {
          sequence,
        },
      );
    }
    const earlier = await proofs.get(this.gatewayId, sequence);
    if (earlier) {
      counters.proofsAlreadyRecorded++;
      return proofAck(earlier.valid, true);
    }
    const [root, gateway] = publicSignals;
    const matches = root === String(bytes32ToField(batch.readingsRoot)) && gateway === String(BigInt(this.gatewayId));
    const verified = matches && (await valid);
    const recorded = await proofs.record({
      gatewayId: this.gatewayId,
      batchSequence: sequence,
      valid: verified,
      proof: Buffer.from(proof.proof).toString("utf8"),
      publicSignals,
      verifiedAtMs: Date.now(),
    });
    if (!recorded) {
      counters.proofsAlreadyRecorded++;
      return proofAck((await proofs.get(this.gatewayId, sequence))?.valid ?? false, true);
    }
    if (verified) counters.proofsVerified++;
    else {
      counters.proofsInvalid++;
      logger.warn({ gatewayId: this.gatewayId, sequence, matchesBatch: matches }, "batch proof does not verify");
    }
    return proofAck(verified, false);
  }

  private count(stored: readonly (Stored & { port: UploadPort })[]): void {
    const { counters } = this.deps;
    for (const { batch, gap, port } of stored) {
      counters.batchesStored++;
      if (!gap) {
        counters.readingsStored += batch.readingCount;
        continue;
      }
      counters.gapsRecorded++;
      port.logger.warn(
        { gatewayId: this.gatewayId, sequence: batch.sequence, reason: gap.reason, readings: gap.readingCount },
        "gateway declared a gap",
      );
    }
  }
}

/**
 * The chains of the gateways with an upload stream open, one per gateway whatever the
 * number of its streams. A chain is dropped once its last stream closed and everything
 * it received is answered, so a new stream never starts from a record behind the database.
 */
export class GatewayChains {
  private readonly open = new Map<string, { chain: GatewayChain; streams: number }>();
  private readonly deps: GatewayChainDeps;

  constructor(deps: GatewayChainDeps) {
    this.deps = deps;
  }

  /** The gateway's chain for a new stream, and the function to call once when the stream closes. */
  acquire(gatewayId: string): { chain: GatewayChain; release: () => void } {
    let entry = this.open.get(gatewayId);
    if (!entry) {
      entry = { chain: new GatewayChain(gatewayId, this.deps), streams: 0 };
      this.open.set(gatewayId, entry);
    }
    entry.streams++;
    const held = entry;
    let released = false;
    return {
      chain: held.chain,
      release: () => {
        if (released) return;
        released = true;
        held.streams--;
        void held.chain.settled().then(() => {
          if (held.streams === 0 && this.open.get(gatewayId) === held) this.open.delete(gatewayId);
        });
      },
    };
  }

  /** Gateways with a chain in memory now. */
  get size(): number {
    return this.open.size;
  }
}
