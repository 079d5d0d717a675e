import { availableParallelism } from "node:os";
import { setTimeout } from "node:timers/promises";
import { Batch } from "@intelledger/proto/relay";
import { Piscina } from "piscina";

/**
 * Worker threads for the relay's costliest checks, recomputing readings roots and
 * verifying batch proofs, so the main thread stays free for gRPC, signatures and the
 * database, and several batches are checked at once.
 */
export class VerificationPool {
  private readonly pool: Piscina;
  /** Settles once every thread has loaded its modules. */
  private readonly loaded: Promise<void>;

  constructor(options: { threads?: number } = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    this.pool = new Piscina({
      filename: new URL("./verification-worker.mjs", import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
    });
    let loadedThreads = 0;
    this.loaded = new Promise((resolve) => {
      this.pool.on("message", (message: unknown) => {
        if (isLoadedMessage(message) && ++loadedThreads >= threads) resolve();
      });
    });
  }

  /** The root a batch's readings hash to, as its gateway committed to them. */
  async root(batch: Batch): Promise<bigint> {
    const encoded = Batch.encode(batch).finish();
    // Copied to the worker, not moved: the encoder's buffer may share its memory with others.
    return BigInt((await this.pool.run(encoded)) as string);
  }

  /** Whether a batch proof verifies for its public signals (under the pinned verification key). */
  async proofValid(proof: Uint8Array, publicSignals: string[]): Promise<boolean> {
    return (await this.pool.run(
      { proof: Buffer.from(proof).toString("utf8"), publicSignals },
      { name: "proofValid" },
    )) as boolean;
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
