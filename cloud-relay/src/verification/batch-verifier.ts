import { bytes32ToField } from "@intelledger/circuits";
import {
  batchHash,
  batchHeader,
  PruneReason,
  type Pruned,
  recoverBatchHashSigner,
  recoverPruneSigner,
  ZERO_BATCH_HASH,
  type Batch,
} from "@intelledger/proto/relay";
import { RelayRefusal } from "../errors.js";
import type { ReceivedBatch } from "../grpc/upload-request-decoder.js";
import type { ChainHead, LedgerBatch, LedgerGap } from "../store/batch-ledger.js";

/** A batch whose author, signature, header and prune record hold, wherever it sits in the chain. */
export interface SignedBatchCheck {
  batchHash: Uint8Array;
  /** What the gateway declared it removed, for a pruned batch. */
  gap: LedgerGap | undefined;
  /** The root its readings must hash to, which the verification worker recomputes; undefined for a pruned batch. */
  rootToVerify: bigint | undefined;
}

/**
 * Where a gateway's record stands, for the checks that a batch extends it: its last batch,
 * the last gateway_seq of each data class, and how much of its gateway_seq range its
 * batches account for.
 */
export interface ChainPosition {
  head: ChainHead | undefined;
  classHead(dataClass: number): number;
  /** The highest gateway_seq of any batch (0 before the first). */
  frontier: number;
  /** Readings all batches declared (pruned ones included). */
  accounted: number;
}

function recoverSigner<T>(recover: () => T, reason: "batch_signature" | "prune_record", sequence: number): T {
  try {
    return recover();
  } catch (cause) {
    throw new RelayRefusal(
      "unauthenticated",
      reason,
      `${reason === "batch_signature" ? "batch" : "prune record"} signature is malformed`,
      { sequence },
      { cause },
    );
  }
}

/**
 * What the relay checks before it stores a batch: who sent it, that they signed it, that its
 * header is possible, that it extends their chain by exactly one and accounts for their
 * readings without a hole, or, for a pruned batch, that the gateway signed its account of
 * what it removed. Its readings are checked against the signed root by the verification
 * worker (see readings-check.ts).
 */
export class BatchVerifier {
  private readonly maxReadingsPerBatch: number;
  private readonly maxUnaccountedReadings: number;

  constructor(options: { maxReadingsPerBatch: number; maxUnaccountedReadings: number }) {
    this.maxReadingsPerBatch = options.maxReadingsPerBatch;
    this.maxUnaccountedReadings = options.maxUnaccountedReadings;
  }

  /** The checks a batch must pass whether it is sent the first time or again: a resend is checked as strictly. */
  checkSigned(received: ReceivedBatch, authenticatedGatewayId: string, nowMs: number): SignedBatchCheck {
    const { header } = received;
    const { sequence } = header;
    if (header.gatewayId !== authenticatedGatewayId) {
      throw new RelayRefusal("permission_denied", "gateway_mismatch", "batch names another gateway than the TLS client", {
        batchGateway: header.gatewayId,
        tlsGateway: authenticatedGatewayId,
      });
    }
    const { hash, signer } = recoverSigner(
      () => {
        const hash = batchHash(header);
        return { hash, signer: recoverBatchHashSigner(hash, received.signature) };
      },
      "batch_signature",
      sequence,
    );
    if (signer !== header.gatewayId) {
      throw new RelayRefusal("unauthenticated", "batch_signature", "batch signature is not the gateway's", { sequence, signer });
    }
    this.checkHeader(header);
    let root: bigint;
    try {
      root = bytes32ToField(header.readingsRoot);
    } catch (cause) {
      throw new RelayRefusal(
        "invalid_argument",
        "batch_header",
        `batch ${sequence} readings root is not a field element`,
        { sequence },
        { cause },
      );
    }
    if (received.pruned) {
      return { batchHash: hash, gap: this.checkPruned(received, received.pruned, hash, nowMs), rootToVerify: undefined };
    }
    if (received.readingsOnWire !== header.readingCount) {
      throw new RelayRefusal(
        "invalid_argument",
        "batch_readings",
        `batch ${sequence} holds ${received.readingsOnWire} readings but its header says ${header.readingCount}`,
        { sequence, readings: received.readingsOnWire, readingCount: header.readingCount },
      );
    }
    return { batchHash: hash, gap: undefined, rootToVerify: root };
  }

  /** The checks that the batch is the next one of the gateway's chain. */
  checkLink(header: Batch, position: ChainPosition): void {
    const { sequence, firstGatewaySeq, lastGatewaySeq, readingCount, dataClass } = header;
    const expectedSequence = (position.head?.sequence ?? 0) + 1;
    if (sequence !== expectedSequence) {
      throw new RelayRefusal(
        "failed_precondition",
        "out_of_order",
        `batch ${sequence} is out of order; the relay expects ${expectedSequence}`,
        {
          expectedSequence,
          sequence,
        },
      );
    }
    if (Buffer.compare(header.previousBatchHash, position.head?.batchHash ?? ZERO_BATCH_HASH) !== 0) {
      throw new RelayRefusal(
        "failed_precondition",
        "broken_link",
        `batch ${sequence} does not link to the gateway's previous batch`,
        {
          sequence,
        },
      );
    }
    const storedThrough = position.classHead(dataClass);
    if (firstGatewaySeq <= storedThrough) {
      throw new RelayRefusal(
        "failed_precondition",
        "class_overlap",
        `batch ${sequence} overlaps readings already stored for its data class`,
        {
          sequence,
          dataClass,
          firstGatewaySeq,
          storedThrough,
        },
      );
    }
    const unaccounted = Math.max(position.frontier, lastGatewaySeq) - (position.accounted + readingCount);
    if (unaccounted < 0) {
      throw new RelayRefusal(
        "invalid_argument",
        "batch_header",
        `batch ${sequence} declares readings another batch already accounts for`,
        {
          sequence,
          readingCount,
          lastGatewaySeq,
        },
      );
    }
    if (unaccounted > this.maxUnaccountedReadings) {
      throw new RelayRefusal(
        "failed_precondition",
        "gateway_seq_gap",
        `batch ${sequence} leaves ${unaccounted} gateway_seq numbers below ${Math.max(position.frontier, lastGatewaySeq)} that no batch accounts for; at most ${this.maxUnaccountedReadings} may wait for other data classes`,
        { sequence, unaccounted, limit: this.maxUnaccountedReadings, firstGatewaySeq, frontier: position.frontier },
      );
    }
  }

  /** The batch as the ledger stores it: the encoded batch exactly as received. */
  toLedgerBatch(received: ReceivedBatch, check: SignedBatchCheck, nowMs: number): LedgerBatch {
    return {
      ...batchHeader(received.header),
      batchHash: check.batchHash,
      receivedAtMs: nowMs,
      signature: received.signature,
      payload: received.pruned ? new Uint8Array() : received.encoded,
    };
  }

  private checkHeader(batch: Batch): void {
    const { sequence, readingCount, firstGatewaySeq, lastGatewaySeq } = batch;
    if (sequence < 1)
      throw new RelayRefusal("invalid_argument", "batch_header", "batch sequence numbers start at 1", { sequence });
    if (readingCount < 1 || readingCount > this.maxReadingsPerBatch) {
      throw new RelayRefusal(
        "invalid_argument",
        "batch_header",
        `batch ${sequence} declares ${readingCount} readings; 1 to ${this.maxReadingsPerBatch} allowed`,
        { sequence, readingCount, limit: this.maxReadingsPerBatch },
      );
    }
    if (firstGatewaySeq < 1 || lastGatewaySeq < firstGatewaySeq || readingCount > lastGatewaySeq - firstGatewaySeq + 1) {
      throw new RelayRefusal(
        "invalid_argument",
        "batch_header",
        `batch ${sequence} declares an impossible gateway sequence range`,
        {
          sequence,
          firstGatewaySeq,
          lastGatewaySeq,
          readingCount,
        },
      );
    }
  }

  private checkPruned(received: ReceivedBatch, pruned: Pruned, hash: Uint8Array, nowMs: number): LedgerGap {
    const { header } = received;
    const { sequence } = header;
    if (received.readingsOnWire > 0) {
      throw new RelayRefusal("invalid_argument", "prune_record", `batch ${sequence} is declared pruned but carries readings`, {
        sequence,
      });
    }
    if (pruned.reason !== PruneReason.PRUNE_REASON_ROLLUP && pruned.reason !== PruneReason.PRUNE_REASON_DROPPED) {
      throw new RelayRefusal("invalid_argument", "prune_record", `batch ${sequence} is pruned for an unknown reason`, {
        sequence,
        reason: pruned.reason,
      });
    }
    const signer = recoverSigner(() => recoverPruneSigner(hash, pruned, received.prunedSignature), "prune_record", sequence);
    if (signer !== header.gatewayId) {
      throw new RelayRefusal("unauthenticated", "prune_record", "prune record is not signed by the gateway", {
        sequence,
        signer,
      });
    }
    const { gatewayId, readingCount, firstGatewaySeq, lastGatewaySeq } = header;
    return {
      gatewayId,
      readingCount,
      firstGatewaySeq,
      lastGatewaySeq,
      batchSequence: sequence,
      reason: pruned.reason === PruneReason.PRUNE_REASON_ROLLUP ? "rollup" : "dropped",
      pruned: received.prunedEncoded,
      prunedSignature: received.prunedSignature,
      receivedAtMs: nowMs,
    };
  }
}
