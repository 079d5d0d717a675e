import { bytes32ToField } from "@intelledger/circuits";
import {
  Batch,
  batchHash,
  batchHeader,
  PruneReason,
  Pruned,
  recoverBatchSigner,
  recoverPruneSigner,
  ZERO_BATCH_HASH,
  type SignedBatch,
} from "@intelledger/proto/relay";
import { RelayError } from "../errors.js";
import type { ChainHead, LedgerBatch, LedgerGap } from "../store/batch-ledger.js";

/** A batch that passed every check but the root, which the caller recomputes off the main thread. */
export interface CheckedBatch {
  batch: LedgerBatch;
  /** What the gateway declared it removed, for a pruned batch. */
  gap: LedgerGap | undefined;
  /** The root the readings must hash to; undefined for a pruned batch, whose readings are gone. */
  rootToVerify: bigint | undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function recoverSigner(recover: () => string, what: string, sequence: number): string {
  try {
    return recover();
  } catch (cause) {
    throw new RelayError("unauthenticated", `${what} signature is malformed`, { sequence }, { cause });
  }
}

/**
 * What the relay checks before it stores a batch: who sent it, that they signed it, that
 * it extends their chain by exactly one, that its readings match its signed header, or,
 * for a pruned batch, that the gateway signed its account of what it removed.
 */
export class BatchVerifier {
  private readonly maxReadingsPerBatch: number;

  constructor(options: { maxReadingsPerBatch: number }) {
    this.maxReadingsPerBatch = options.maxReadingsPerBatch;
  }

  check(
    signed: SignedBatch,
    authenticatedGatewayId: string,
    head: ChainHead | undefined,
    classHead: (dataClass: number) => number,
    nowMs: number,
  ): CheckedBatch {
    const batch = signed.batch;
    if (!batch) throw new RelayError("invalid_argument", "upload carries no batch");
    const { sequence } = batch;
    if (batch.gatewayId !== authenticatedGatewayId) {
      throw new RelayError("permission_denied", "batch names another gateway than the TLS client", {
        batchGateway: batch.gatewayId,
        tlsGateway: authenticatedGatewayId,
      });
    }
    const signer = recoverSigner(() => recoverBatchSigner(batch, signed.signature), "batch", sequence);
    if (signer !== batch.gatewayId) {
      throw new RelayError("unauthenticated", "batch signature is not the gateway's", { sequence, signer });
    }
    const expectedSequence = (head?.sequence ?? 0) + 1;
    if (sequence !== expectedSequence) {
      throw new RelayError("failed_precondition", `batch ${sequence} is out of order; the relay expects ${expectedSequence}`, {
        expectedSequence,
        sequence,
      });
    }
    if (!sameBytes(batch.previousBatchHash, head?.batchHash ?? ZERO_BATCH_HASH)) {
      throw new RelayError("failed_precondition", `batch ${sequence} does not link to the gateway's previous batch`, {
        sequence,
      });
    }
    this.checkHeader(batch, classHead(batch.dataClass));
    const hash = batchHash(batch);
    const stored: LedgerBatch = {
      ...batchHeader(batch),
      batchHash: hash,
      receivedAtMs: nowMs,
      signature: signed.signature,
      payload: new Uint8Array(),
    };
    let root: bigint;
    try {
      root = bytes32ToField(batch.readingsRoot);
    } catch (cause) {
      throw new RelayError("invalid_argument", `batch ${sequence} readings root is not a field element`, { sequence }, { cause });
    }
    if (signed.pruned) {
      return { batch: stored, gap: this.checkPruned(signed, signed.pruned, hash, nowMs), rootToVerify: undefined };
    }
    this.checkReadings(batch);
    return { batch: { ...stored, payload: Batch.encode(batch).finish() }, gap: undefined, rootToVerify: root };
  }

  private checkHeader(batch: Batch, classHead: number): void {
    const { sequence, readingCount, firstGatewaySeq, lastGatewaySeq } = batch;
    if (readingCount < 1 || readingCount > this.maxReadingsPerBatch) {
      throw new RelayError(
        "invalid_argument",
        `batch ${sequence} declares ${readingCount} readings; 1 to ${this.maxReadingsPerBatch} allowed`,
      );
    }
    if (firstGatewaySeq < 1 || lastGatewaySeq < firstGatewaySeq || readingCount > lastGatewaySeq - firstGatewaySeq + 1) {
      throw new RelayError("invalid_argument", `batch ${sequence} declares an impossible gateway sequence range`, {
        sequence,
        firstGatewaySeq,
        lastGatewaySeq,
        readingCount,
      });
    }
    if (firstGatewaySeq <= classHead) {
      throw new RelayError("failed_precondition", `batch ${sequence} overlaps readings already stored for its data class`, {
        sequence,
        dataClass: batch.dataClass,
        firstGatewaySeq,
        storedThrough: classHead,
      });
    }
  }

  private checkReadings(batch: Batch): void {
    const { sequence, readings } = batch;
    if (readings.length !== batch.readingCount) {
      throw new RelayError(
        "invalid_argument",
        `batch ${sequence} holds ${readings.length} readings but its header says ${batch.readingCount}`,
      );
    }
    let previous = batch.firstGatewaySeq - 1;
    for (const reading of readings) {
      if (reading.gatewaySeq <= previous || reading.gatewaySeq > batch.lastGatewaySeq) {
        throw new RelayError(
          "invalid_argument",
          `batch ${sequence} holds reading ${reading.gatewaySeq} out of order or outside its range`,
          {
            sequence,
            gatewaySeq: reading.gatewaySeq,
          },
        );
      }
      previous = reading.gatewaySeq;
    }
    if (readings[0]?.gatewaySeq !== batch.firstGatewaySeq || previous !== batch.lastGatewaySeq) {
      throw new RelayError("invalid_argument", `batch ${sequence} readings do not span its declared range`, { sequence });
    }
  }

  private checkPruned(signed: SignedBatch, pruned: Pruned, hash: Uint8Array, nowMs: number): LedgerGap {
    const batch = signed.batch as Batch;
    if (batch.readings.length > 0) {
      throw new RelayError("invalid_argument", `batch ${batch.sequence} is declared pruned but carries readings`, {
        sequence: batch.sequence,
      });
    }
    if (pruned.reason !== PruneReason.PRUNE_REASON_ROLLUP && pruned.reason !== PruneReason.PRUNE_REASON_DROPPED) {
      throw new RelayError("invalid_argument", `batch ${batch.sequence} is pruned for an unknown reason`, {
        reason: pruned.reason,
      });
    }
    const signer = recoverSigner(() => recoverPruneSigner(hash, pruned, signed.prunedSignature), "prune record", batch.sequence);
    if (signer !== batch.gatewayId) {
      throw new RelayError("unauthenticated", "prune record is not signed by the gateway", { sequence: batch.sequence, signer });
    }
    const { gatewayId, readingCount, firstGatewaySeq, lastGatewaySeq } = batch;
    return {
      gatewayId,
      readingCount,
      firstGatewaySeq,
      lastGatewaySeq,
      batchSequence: batch.sequence,
      reason: pruned.reason === PruneReason.PRUNE_REASON_ROLLUP ? "rollup" : "dropped",
      pruned: Pruned.encode(pruned).finish(),
      prunedSignature: signed.prunedSignature,
      receivedAtMs: nowMs,
    };
  }
}
