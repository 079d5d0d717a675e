import { getAddress, toBeHex } from "ethers";
import type { BatchCommitment } from "./batch-commitment.js";
import { BATCH_CAPACITY, PUBLIC_SIGNALS } from "./batch-layout.js";
import { CircuitsError } from "./errors.js";
import { SNARK_FIELD_MODULUS } from "./field.js";

/** The batch attestation circuit's input: every signal as a decimal string, as snarkjs takes it. */
export interface BatchCircuitInput {
  batchRoot: string;
  gatewayId: string;
  windowStartSec: string;
  windowEndSec: string;
  readingCount: string;
  anomalyCount: string;
  streamsHash: string;
  words: string[];
  detailsRoot: string;
}

/** What a batch proof claims, read from its public signals. */
export interface BatchClaims {
  batchRoot: bigint;
  /** Checksummed address of the gateway that sealed the batch. */
  gatewayId: string;
  windowStartSec: number;
  windowEndSec: number;
  readingCount: number;
  anomalyCount: number;
  /** Commitment to the stream table: which bounds each stream's values lie within. */
  streamsHash: bigint;
}

/** The circuit input that proves `commitment`'s claims. */
export function batchCircuitInput(commitment: BatchCommitment): BatchCircuitInput {
  const { header } = commitment;
  return {
    batchRoot: commitment.root.toString(),
    gatewayId: header.gatewayId.toString(),
    windowStartSec: String(header.windowStartSec),
    windowEndSec: String(header.windowEndSec),
    readingCount: String(header.readingCount),
    anomalyCount: String(header.anomalyCount),
    streamsHash: header.streamsHash.toString(),
    words: commitment.words.map((word) => word.toString()),
    detailsRoot: header.detailsRoot.toString(),
  };
}

/** The public signals a proof of `commitment` carries, in the circuit's order (PUBLIC_SIGNALS). */
export function batchPublicSignals(commitment: BatchCommitment): string[] {
  const input = batchCircuitInput(commitment);
  return PUBLIC_SIGNALS.map((name) => input[name]);
}

/** Reads the claims out of public signals; throws when they are not the circuit's. */
export function batchClaims(publicSignals: readonly string[]): BatchClaims {
  if (publicSignals.length !== PUBLIC_SIGNALS.length || publicSignals.some((signal) => !/^\d{1,78}$/.test(signal))) {
    throw new CircuitsError(`a batch proof has ${PUBLIC_SIGNALS.length} decimal public signals`, { publicSignals });
  }
  const [batchRoot, gatewayId, windowStartSec, windowEndSec, readingCount, anomalyCount, streamsHash] = publicSignals.map(
    BigInt,
  ) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  if ([batchRoot, streamsHash].some((value) => value >= SNARK_FIELD_MODULUS) || gatewayId >= 2n ** 160n) {
    throw new CircuitsError("public signals out of range", { publicSignals });
  }
  if (
    readingCount > BigInt(BATCH_CAPACITY) ||
    windowStartSec > BigInt(Number.MAX_SAFE_INTEGER) ||
    windowEndSec > BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    throw new CircuitsError("public signals out of range", { publicSignals });
  }
  return {
    batchRoot,
    gatewayId: getAddress(toBeHex(gatewayId, 20)),
    windowStartSec: Number(windowStartSec),
    windowEndSec: Number(windowEndSec),
    readingCount: Number(readingCount),
    anomalyCount: Number(anomalyCount),
    streamsHash,
  };
}
