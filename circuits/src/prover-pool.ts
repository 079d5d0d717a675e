import { artifactsDir, type CircuitName } from "./artifacts.js";
import type { BatchProof } from "./batch-prover.js";
import { CircuitsError } from "./errors.js";
import { startProverHost, type ProverHost, type ProverIsolation } from "./prover-host.js";
import type { CircuitInput, ProverMessage, ProverRequest } from "./prover-messages.js";

export interface BatchProverPoolOptions {
  /** Provers running at once; 1 by default. */
  threads?: number;
  /** Worker threads (the default) or child processes at lower CPU priority. */
  isolation?: ProverIsolation;
  /** Batches that may wait for a free worker; `prove` refuses more. 4 by default. */
  maxQueued?: number;
  /** Proofs (and failed attempts) a prover makes before a fresh one replaces it; PROOFS_PER_PROVER by default. */
  proofsPerProver?: number;
  /** Folder with the circuit artifacts; the committed ones by default. */
  artifactsDir?: string;
  /** The circuit proved: the batch attestation by default, or the reading disclosure. */
  circuit?: CircuitName;
  /**
   * Called when a prover dies (crashed, killed, out of memory) instead of replacing it at
   * once: the owner decides when to start a new pool. Its batch is refused either way.
   */
  onProverExit?: (error: CircuitsError) => void;
}

interface Job {
  id: number;
  input: CircuitInput;
  resolve(proof: BatchProof): void;
  reject(error: Error): void;
}

interface Slot {
  worker: ProverHost;
  ready: Promise<void>;
  job?: Job | undefined;
  /** Inputs it answered. */
  answered: number;
  /** Replaced by a fresh prover: its exit is expected. */
  retired: boolean;
}

/**
 * A prover process is replaced after this many proofs: well before the witness generator's
 * largest function has run long enough for V8 to recompile it with its optimising compiler
 * (about a thousand proofs, see WASM_TIERING_BUDGET in prover-host.ts), which takes 59 MB for
 * half a second. Starting a prover takes about a second of CPU time, under 0.3 % of 500 proofs.
 */
export const PROOFS_PER_PROVER = 500;

/**
 * Proves batches (or, for the "reading-disclosure" circuit, readings' disclosures) in worker threads or child processes, so proving never blocks the caller's event loop. The
 * queue is bounded: when `full`, `prove` refuses at once (a CircuitsError), and the caller
 * keeps the batch for later; nothing is dropped silently.
 */
export class BatchProverPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly maxQueued: number;
  private nextId = 1;
  private closed = false;
  private readonly onProverExit: ((error: CircuitsError) => void) | undefined;
  private readonly proofsPerProver: number;
  private readonly isolation: ProverIsolation;
  private readonly artifacts: { dir: string; circuit: CircuitName };

  constructor(options: BatchProverPoolOptions = {}) {
    const threads = options.threads ?? 1;
    this.maxQueued = options.maxQueued ?? 4;
    this.proofsPerProver = options.proofsPerProver ?? PROOFS_PER_PROVER;
    if (
      !Number.isInteger(threads) ||
      threads < 1 ||
      !Number.isInteger(this.maxQueued) ||
      this.maxQueued < 0 ||
      !Number.isInteger(this.proofsPerProver) ||
      this.proofsPerProver < 1
    ) {
      throw new CircuitsError("a prover pool needs at least one thread, a non-negative queue and provers that prove", {
        threads,
        maxQueued: this.maxQueued,
        proofsPerProver: this.proofsPerProver,
      });
    }
    this.onProverExit = options.onProverExit;
    this.artifacts = { dir: options.artifactsDir ?? artifactsDir, circuit: options.circuit ?? "batch-attestation" };
    this.isolation = options.isolation ?? "thread";
    this.slots = Array.from({ length: threads }, () => this.startWorker());
  }

  /** Batches queued or being proved. */
  get pending(): number {
    return this.queue.length + this.slots.filter((slot) => slot.job !== undefined).length;
  }

  /** True when `prove` would refuse: every worker busy and the queue at its limit. */
  get full(): boolean {
    return this.slots.every((slot) => slot.job !== undefined) && this.queue.length >= this.maxQueued;
  }

  /** Resolves when every worker has loaded the artifacts. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.ready));
  }

  prove(input: CircuitInput): Promise<BatchProof> {
    if (this.closed) return Promise.reject(new CircuitsError("the prover pool is closed"));
    if (this.full) return Promise.reject(new CircuitsError("the prover queue is full", { pending: this.pending }));
    return new Promise<BatchProof>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; batches not yet proved are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new CircuitsError("the prover pool closed before proving the batch"));
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.job?.reject(new CircuitsError("the prover pool closed before proving the batch"));
        slot.job = undefined;
        await slot.worker.stop();
      }),
    );
  }

  private startWorker(): Slot {
    let markReady: () => void = () => undefined;
    let failStart: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => undefined);
    const fail = (failure: CircuitsError) => {
      failStart(failure);
      slot.job?.reject(failure);
      slot.job = undefined;
    };
    const slot: Slot = {
      ready,
      answered: 0,
      retired: false,
      worker: startProverHost(this.isolation, this.artifacts, {
        message: (message: ProverMessage) => {
          if ("ready" in message) {
            markReady();
            return;
          }
          const job = slot.job;
          if (job === undefined || job.id !== message.id) return;
          slot.job = undefined;
          if ("result" in message) job.resolve(message.result);
          else job.reject(new CircuitsError(message.error.message, { cause: message.error.cause }));
          if (++slot.answered >= this.proofsPerProver) this.replace(slot);
          this.dispatch();
        },
        error: (error) => {
          if (!slot.retired) fail(new CircuitsError("a prover failed", {}, { cause: error }));
        },
        exit: (code, signal) => {
          if (this.closed || slot.retired) return;
          const exited = new CircuitsError(signal ? `a prover was killed by ${signal}` : `a prover exited with code ${code}`);
          fail(exited);
          if (this.onProverExit) {
            this.onProverExit(exited);
            return;
          }
          this.replace(slot);
          this.dispatch();
        },
      }),
    };
    return slot;
  }

  /** Puts a fresh prover in the slot of one that exited or proved its share. */
  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.retired = true;
    void slot.worker.stop();
    this.slots[index] = this.startWorker();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job !== undefined) continue;
      const job = this.queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.send({ id: job.id, input: job.input } satisfies ProverRequest);
    }
  }
}
