import { bytes32ToField, PoseidonMerkleTree, readingLeaf, type PoseidonHasher } from "@intelledger/circuits";
import { Batch, batchHash, recoverBatchSigner, ZERO_BATCH_HASH, type SignedBatch } from "@intelledger/proto/relay";
import { RelayError } from "../errors.js";
import type { ChainHead, LedgerBatch } from "../store/batch-ledger.js";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Everything the relay checks before it stores a batch: who sent it, that they signed
 * it, that it extends their chain by exactly one, and that the readings are the ones
 * the signed root commits to.
 */
export class BatchVerifier {
  private readonly hasher: PoseidonHasher;
  private readonly maxReadingsPerBatch: number;

  constructor(hasher: PoseidonHasher, options: { maxReadingsPerBatch: number }) {
    this.hasher = hasher;
    this.maxReadingsPerBatch = options.maxReadingsPerBatch;
  }

  /** The batch as the ledger stores it, or a RelayError saying what is wrong. */
  verify(signed: SignedBatch, authenticatedGatewayId: string, head: ChainHead | undefined, nowMs: number): LedgerBatch {
    const batch = signed.batch;
    if (!batch) throw new RelayError("invalid_argument", "upload carries no batch");
    if (batch.gatewayId !== authenticatedGatewayId) {
      throw new RelayError("permission_denied", "batch names another gateway than the TLS client", {
        batchGateway: batch.gatewayId,
        tlsGateway: authenticatedGatewayId,
      });
    }
    let signer: string;
    try {
      signer = recoverBatchSigner(batch, signed.signature);
    } catch (cause) {
      throw new RelayError("unauthenticated", "batch signature is malformed", { sequence: batch.sequence }, { cause });
    }
    if (signer !== batch.gatewayId) {
      throw new RelayError("unauthenticated", "batch signature is not the gateway's", { sequence: batch.sequence, signer });
    }
    const expectedSequence = (head?.sequence ?? 0) + 1;
    if (batch.sequence !== expectedSequence) {
      throw new RelayError(
        "failed_precondition",
        `batch ${batch.sequence} is out of order; the relay expects ${expectedSequence}`,
        {
          expectedSequence,
          sequence: batch.sequence,
        },
      );
    }
    if (!sameBytes(batch.previousBatchHash, head?.batchHash ?? ZERO_BATCH_HASH)) {
      throw new RelayError("failed_precondition", `batch ${batch.sequence} does not link to the gateway's previous batch`, {
        sequence: batch.sequence,
      });
    }
    this.checkReadings(batch, head);
    return {
      gatewayId: batch.gatewayId,
      sequence: batch.sequence,
      batchHash: batchHash(batch),
      previousBatchHash: batch.previousBatchHash,
      readingsRoot: batch.readingsRoot,
      firstGatewaySeq: batch.readings[0]?.gatewaySeq ?? 0,
      lastGatewaySeq: batch.readings.at(-1)?.gatewaySeq ?? 0,
      readingCount: batch.readings.length,
      sealedAtMs: batch.sealedAtMs,
      receivedAtMs: nowMs,
      signature: signed.signature,
      payload: Batch.encode(batch).finish(),
    };
  }

  private checkReadings(batch: Batch, head: ChainHead | undefined): void {
    const { readings, sequence } = batch;
    const [first] = readings;
    if (!first || readings.length > this.maxReadingsPerBatch) {
      throw new RelayError(
        "invalid_argument",
        `batch ${sequence} holds ${readings.length} readings; 1 to ${this.maxReadingsPerBatch} allowed`,
      );
    }
    let expectedSeq = head ? head.lastGatewaySeq + 1 : first.gatewaySeq;
    for (const reading of readings) {
      if (reading.gatewaySeq !== expectedSeq) {
        throw new RelayError(
          "failed_precondition",
          `batch ${sequence} skips gateway sequence numbers: expected ${expectedSeq}, got ${reading.gatewaySeq}`,
          {
            sequence,
            expectedGatewaySeq: expectedSeq,
            gatewaySeq: reading.gatewaySeq,
          },
        );
      }
      expectedSeq++;
    }
    let root: bigint;
    try {
      root = PoseidonMerkleTree.build(
        this.hasher,
        readings.map((reading) => readingLeaf(this.hasher, reading)),
      ).root;
    } catch (cause) {
      throw new RelayError(
        "invalid_argument",
        `batch ${sequence} holds a reading that cannot be committed`,
        { sequence },
        { cause },
      );
    }
    let claimed: bigint;
    try {
      claimed = bytes32ToField(batch.readingsRoot);
    } catch (cause) {
      throw new RelayError("invalid_argument", `batch ${sequence} readings root is not a field element`, { sequence }, { cause });
    }
    if (root !== claimed) {
      throw new RelayError("invalid_argument", `batch ${sequence} readings do not match its signed root`, { sequence });
    }
  }
}
