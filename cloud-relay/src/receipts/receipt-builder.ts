import type { PoseidonHasher, ReadingInclusion } from "@intelledger/circuits";
import { Batch, batchHeaderToJson } from "@intelledger/proto/relay";
import type { Receipt } from "@intelledger/verify";
import { hexlify } from "ethers";
import { RelayError } from "../errors.js";
import type { AnchorLedger } from "../store/anchor-ledger.js";
import type { BatchLedger } from "../store/batch-ledger.js";
import type { ProofLedger } from "../store/proof-ledger.js";
import { batchCommitmentOf } from "../verification/batch-commitment-of.js";
import type { DisclosureProver } from "./disclosure-prover.js";
import { foldedAnchorPath } from "./folded-anchor-path.js";

/**
 * What a version 2 receipt shows of its reading's batch: the claims root and the reading's
 * disclosure proof, not the claims words; its own stream, and its salts and paths.
 */
export function inclusionJson(
  inclusion: ReadingInclusion,
  disclosure: { proof: string; publicSignals: string[] },
): Receipt["inclusion"] {
  const { header } = inclusion;
  return {
    index: inclusion.index,
    claimsRoot: String(inclusion.claimsRoot),
    disclosure: { groth16: disclosure.proof, publicSignals: disclosure.publicSignals },
    stream: { ...inclusion.stream },
    streamIndex: inclusion.streamIndex,
    // Layout 2 shows the reading's own stream by its path; a batch committed without salts can only show its table.
    ...(inclusion.streamPath && inclusion.streamSalt
      ? { streamSalt: hexlify(inclusion.streamSalt), streamPath: inclusion.streamPath.map((node) => hexlify(node)) }
      : { streams: inclusion.streams?.map((stream) => ({ ...stream })) }),
    codeOffset: inclusion.codeOffset,
    ...(inclusion.salt && { salt: hexlify(inclusion.salt) }),
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
    disclosures: DisclosureProver;
    hasher: PoseidonHasher;
    contract: string;
    chainId: number;
  };

  constructor(deps: ReceiptBuilder["deps"]) {
    this.deps = deps;
  }

  /** The receipt of a gateway's reading; a RelayError says why there is none (yet). */
  async build(gatewayId: string, gatewaySeq: number): Promise<Receipt> {
    const { batches, anchors, proofs, disclosures, hasher, contract, chainId } = this.deps;
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
    const anchoring = await batches.anchorOf(gatewayId, stored.sequence);
    const anchor = anchoring === undefined ? undefined : await anchors.byId(anchoring.anchorId);
    if (!anchoring || anchor?.status !== "confirmed" || !anchor.txHash || anchor.blockNumber === undefined) {
      throw new RelayError("failed_precondition", `reading ${gatewaySeq} is stored but not anchored yet`);
    }
    const inclusion = batchCommitmentOf(hasher, batch).inclusion(index);
    const disclosure = await disclosures.disclosure(gatewayId, gatewaySeq, inclusion);
    const siblings = anchoring.siblings ?? (await foldedAnchorPath(batches, hasher, anchoring));
    const proof = await proofs.get(gatewayId, stored.sequence);
    return {
      version: 2,
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
      inclusion: inclusionJson(inclusion, disclosure),
      proofStatus: proof === undefined ? "pending" : proof.valid ? "attached" : "invalid",
      ...(proof?.valid ? { proof: { groth16: proof.proof, publicSignals: proof.publicSignals } } : {}),
      anchor: {
        root: hexlify(anchor.root),
        leafIndex: anchoring.position,
        siblings: siblings.map((node) => hexlify(node)),
        transactionHash: anchor.txHash,
        blockNumber: anchor.blockNumber,
        contract,
        chainId,
      },
    };
  }
}
