import { availableParallelism } from "node:os";
import { Batch, type Reading } from "@intelledger/proto/relay";
import { Piscina } from "piscina";

/**
 * Worker threads for the relay's costliest checks, recomputing readings roots and
 * verifying batch proofs, so the main thread stays free for gRPC, signatures and the
 * database, and several batches are checked at once.
 */
export class VerificationPool {
  private readonly pool: Piscina;

  constructor(options: { threads?: number } = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    this.pool = new Piscina({
      filename: new URL("./verification-worker.mjs", import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
    });
  }

  async root(gatewayId: string, readings: Reading[]): Promise<bigint> {
    const encoded = Batch.encode({
      gatewayId,
      sequence: 0,
      previousBatchHash: new Uint8Array(),
      readingsRoot: new Uint8Array(),
      sealedAtMs: 0,
      dataClass: 0,
      readingCount: 0,
      firstGatewaySeq: 0,
      lastGatewaySeq: 0,
      readings,
    }).finish();
    // Copy into a buffer of its own so it can be moved to the worker without copying again.
    const transferable = encoded.slice();
    return BigInt((await this.pool.run(transferable, { transferList: [transferable.buffer] })) as string);
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
    await this.pool.destroy();
  }
}
