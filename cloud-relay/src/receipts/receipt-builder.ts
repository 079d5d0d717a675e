import {
  BatchCommitment,
  bytes32ToField,
  fieldToBytes32,
  listedBounds,
  PoseidonMerkleTree,
  type PoseidonHasher,
  type ReadingInclusion,
} from "@intelledger/circuits";
import { Batch, batchHeaderToJson } from "@intelledger/proto/relay";
import type { Receipt } from "@intelledger/verify";
import { hexlify } from "ethers";
import { RelayError } from "../errors.js";
import type { AnchorLedger } from "../store/anchor-ledger.js";
import type { BatchLedger } from "../store/batch-ledger.js";
import type { ProofLedger } from "../store/proof-ledger.js";

const bytes32 = (value: bigint) => hexlify(fieldToBytes32(value));

function inclusionJson(inclusion: ReadingInclusion): Receipt["inclusion"] {
  const { header } = inclusion;
  return {
    index: inclusion.index,
    words: inclusion.words.map(String),
    streams: inclusion.streams.map((stream) => ({ ...stream })),
    streamIndex: inclusion.streamIndex,
    codeOffset: inclusion.codeOffset,
    detailsPath: inclusion.detailsPath.map((node) => hexlify(node)),
    header: {
      detailsRoot: String(header.detailsRoot),
      streamsHash: String(header.streamsHash),
      gatewayId: String(header.gatewayId),
      windowStartSec: header.windowStartSec,
      windowEndSec: header.windowEndSec,
      readingCount: header.readingCount,
      anomalyCount: header.anomalyCount,
    },
  };
}

/** Builds receipts from what the relay stored: the batch's readings and the anchor it went into. */
export class ReceiptBuilder {
  private readonly deps: {
    batches: BatchLedger;
    anchors: AnchorLedger;
    proofs: ProofLedger;
    hasher: PoseidonHasher;
    contract: string;
    chainId: number;
  };

  constructor(deps: ReceiptBuilder["deps"]) {
    this.deps = deps;
  }

  /** The receipt of a gateway's reading; a RelayError says why there is none (yet). */
  async build(gatewayId: string, gatewaySeq: number): Promise<Receipt> {
    const { batches, anchors, proofs, hasher, contract, chainId } = this.deps;
    const stored = await batches.containing(gatewayId, gatewaySeq);
    if (!stored) throw new RelayError("not_found", `no batch of gateway ${gatewayId} holds reading ${gatewaySeq}`);
    if (stored.payload.length === 0) {
      throw new RelayError(
        "failed_precondition",
        `reading ${gatewaySeq} was pruned by its gateway before upload (a declared gap)`,
      );
    }
    const batch = Batch.decode(stored.payload);
    const index = batch.readings.findIndex((reading) => reading.gatewaySeq === gatewaySeq);
    const reading = batch.readings[index];
    if (!reading) throw new RelayError("not_found", `no batch of gateway ${gatewayId} holds reading ${gatewaySeq}`);
    const anchorId = await batches.anchorOf(gatewayId, stored.sequence);
    const anchor = anchorId === undefined ? undefined : await anchors.byId(anchorId.anchorId);
    if (!anchorId || anchor?.status !== "confirmed" || !anchor.txHash || anchor.blockNumber === undefined) {
      throw new RelayError("failed_precondition", `reading ${gatewaySeq} is stored but not anchored yet`);
    }
    const commitment = BatchCommitment.build(hasher, {
      gatewayId,
      readings: batch.readings,
      bounds: listedBounds(batch.streamBounds),
    });
    const fold = PoseidonMerkleTree.build(
      hasher,
      (await batches.byAnchor(anchorId.anchorId)).map((member) => bytes32ToField(member.readingsRoot)),
    );
    const path = fold.path(anchorId.position);
    const proof = await proofs.get(gatewayId, stored.sequence);
    return {
      version: 1,
      reading: {
        gatewaySeq: reading.gatewaySeq,
        deviceId: reading.deviceId,
        frameCounter: reading.frameCounter.toString(),
        channel: reading.channel,
        channelIndex: reading.channelIndex,
        sampledAtMs: reading.sampledAtMs,
        receivedAtMs: reading.receivedAtMs,
        value: reading.value,
        scale: reading.scale,
        timeUncertain: reading.timeUncertain,
        receivedBoot: reading.receivedBoot,
        receivedUptimeMs: reading.receivedUptimeMs,
        anomalous: reading.anomalous,
      },
      batch: { ...batchHeaderToJson(stored), signature: hexlify(stored.signature) },
      inclusion: inclusionJson(commitment.inclusion(index)),
      proofStatus: proof === undefined ? "pending" : proof.valid ? "attached" : "invalid",
      ...(proof?.valid ? { proof: { groth16: proof.proof, publicSignals: proof.publicSignals } } : {}),
      anchor: {
        root: hexlify(anchor.root),
        leafIndex: path.leafIndex,
        siblings: path.siblings.map(bytes32),
        transactionHash: anchor.txHash,
        blockNumber: anchor.blockNumber,
        contract,
        chainId,
      },
    };
  }
}
