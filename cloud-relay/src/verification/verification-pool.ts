import { availableParallelism } from "node:os";
import { setTimeout } from "node:timers/promises";
import type { CompiledPoseidon } from "@intelledger/circuits";
import { Piscina } from "piscina";
import type { ReadingsVerdict, VerificationWorkerData } from "./verification-worker.js";

/**
 * Worker threads for the relay's costliest checks, recomputing readings roots and
 * verifying batch proofs, so the main thread stays free for gRPC, signatures and the
 * database, and several batches are checked at once. One thread per core by default: the
 * main thread waits on sockets and the disk much of the time, and one thread fewer than the
 * cores left a core idle then (a drain on two cores ran at about 0.8 of the speed).
 */
export class VerificationPool {
  private readonly pool: Piscina;
  /** Settles once every thread has loaded its modules. */
  private readonly loaded: Promise<void>;
  private everyThreadLoaded = false;

  /** `poseidon`: the module this thread compiled, which the threads instantiate instead of building their own. */
  constructor(options: { threads?: number; poseidon: CompiledPoseidon }) {
    const threads = options.threads ?? availableParallelism();
    this.pool = new Piscina({
      filename: new URL("./verification-worker.mjs", import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      workerData: { poseidon: options.poseidon } satisfies VerificationWorkerData,
    });
    let loadedThreads = 0;
    this.loaded = new Promise((resolve) => {
      this.pool.on("message", (message: unknown) => {
        if (isLoadedMessage(message) && ++loadedThreads >= threads) {
          this.everyThreadLoaded = true;
          resolve();
        }
      });
    });
  }

  /**
   * Checks an encoded Batch's readings against its header and recomputes their root in a
   * worker. The bytes are copied into a buffer of their own, which moves to the thread: the
   * caller keeps its bytes (to store them), and they may share memory with the message they
   * came in.
   */
  async readings(encodedBatch: Uint8Array): Promise<ReadingsVerdict> {
    // Not slice(): on a Buffer it gives a view, not a copy.
    const copy = new Uint8Array(encodedBatch);
    return (await this.pool.run(copy, { transferList: [copy.buffer] })) as ReadingsVerdict;
  }

  /** Whether a batch proof verifies for its public signals (under the pinned verification key). */
  async proofValid(proof: Uint8Array, publicSignals: string[]): Promise<boolean> {
    return (await this.pool.run(
      { proof: Buffer.from(proof).toString("utf8"), publicSignals },
      { name: "proofValid" },
    )) as boolean;
  }

  /** Whether every thread has loaded its modules and checks at full speed. */
  get loadedAll(): boolean {
    return this.everyThreadLoaded;
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async close(): Promise<void> {
    // Ending a thread while it is still loading modules, or in the middle of a check, can
    // crash the whole process (Node.js faults in thread teardown), so threads are ended only
    // once loaded, and after the checks they are running.
    await Promise.race([this.loaded, setTimeout(LOAD_WAIT_LIMIT_MS, undefined, { ref: false })]);
    await this.pool.close();
  }
}

/** How long closing waits for threads to load; one that never does is ended anyway. */
const LOAD_WAIT_LIMIT_MS = 60_000;

function isLoadedMessage(message: unknown): boolean {
  return typeof message === "object" && message !== null && "verificationWorkerLoaded" in message;
}
