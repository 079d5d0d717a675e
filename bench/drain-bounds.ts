// The two single-pass bounds of a backlog drain, each on one thread of this process over the
// same sealed batches, in readings per CPU second of that thread (so that other work on the
// machine does not count; on an idle core that is readings per second, but for the waits on
// the disk's fsyncs, which are not CPU time): what the gateway does to put a batch on the wire (read it and its
// readings, encode the upload message) and what the relay does to take it (decode it, check
// its signature and header, recompute its readings root, store it, a transaction per 32
// batches as its upload chains do). A drain across processes can approach the slower one.
import { join } from "node:path";
import { UploadRequest } from "@intelledger/proto/relay";
import { BatchOutbox } from "../gateway/src/batch/batch-outbox.js";
import { openGatewayDatabase } from "../gateway/src/store/gateway-database.js";
import { ReadingStore } from "../gateway/src/store/reading-store.js";
import { decodeUploadRequest } from "../cloud-relay/src/grpc/upload-request-decoder.js";
import { BatchLedger } from "../cloud-relay/src/store/batch-ledger.js";
import { SqliteSqlDatabase } from "../cloud-relay/src/store/sqlite-sql-database.js";
import { BatchVerifier } from "../cloud-relay/src/verification/batch-verifier.js";
import readingsVerdict from "../cloud-relay/src/verification/verification-worker.js";

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export interface DrainBounds {
  readings: number;
  /** Readings per CPU second the gateway reads and encodes for upload. */
  gateway: number;
  /** Readings per CPU second the relay decodes, checks, verifies and stores. */
  relay: number;
}

const STORE_EVERY = 32;

/** Both bounds over the first batches of a seeded gateway's backlog, up to `maxReadings` readings. */
export async function measureDrainBounds(
  gatewayDir: string,
  gatewayId: string,
  scratchDir: string,
  maxReadings: number,
): Promise<DrainBounds> {
  const db = openGatewayDatabase(join(gatewayDir, "gateway.sqlite"));
  const encoded: Uint8Array[] = [];
  let readings = 0;
  let gatewayMs: number;
  try {
    const outbox = new BatchOutbox({ db, gatewayId, readings: new ReadingStore(db) });
    const started = process.threadCpuUsage();
    for (let sequence = 1; readings < maxReadings; sequence++) {
      const batch = outbox.outgoing(sequence);
      if (!batch) break;
      encoded.push(UploadRequest.encode({ message: { $case: "batch", value: batch } }).finish());
      readings += batch.batch?.readingCount ?? 0;
    }
    gatewayMs = cpuMs(process.threadCpuUsage(started));
  } finally {
    db.close();
  }

  const relayDb = new SqliteSqlDatabase(join(scratchDir, "relay-bound.sqlite"));
  let relayMs: number;
  try {
    const ledger = new BatchLedger(relayDb);
    // As registering does.
    await ledger.touchGateway(gatewayId, Date.now());
    const verifier = new BatchVerifier({ maxReadingsPerBatch: 372, maxUnaccountedReadings: 1_000_000 });
    const started = process.threadCpuUsage();
    let pending: Parameters<BatchLedger["appendAll"]>[0][number][] = [];
    for (const bytes of encoded) {
      const message = decodeUploadRequest(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (message.kind !== "batch") throw new Error(`the bound's batch did not decode: ${message.kind}`);
      const nowMs = Date.now();
      const check = verifier.checkSigned(message.batch, gatewayId, nowMs);
      const verdict = readingsVerdict(message.batch.encoded);
      if (!("root" in verdict) || BigInt(verdict.root) !== check.rootToVerify)
        throw new Error("the bound's batch does not verify");
      pending.push({ batch: verifier.toLedgerBatch(message.batch, check, nowMs), gap: undefined });
      if (pending.length === STORE_EVERY) {
        await ledger.appendAll(pending);
        pending = [];
      }
    }
    if (pending.length > 0) await ledger.appendAll(pending);
    relayMs = cpuMs(process.threadCpuUsage(started));
  } finally {
    await relayDb.close();
  }
  return { readings, gateway: readings / (gatewayMs / 1000), relay: readings / (relayMs / 1000) };
}
