import { getAddress, isAddress } from "ethers";
import {
  BATCH_CAPACITY,
  MAX_WINDOW_SPAN_SEC,
  receiveSecond,
  SLOT_BITS,
  SLOTS_PER_WORD,
  WORDS_PER_BATCH,
} from "./batch-layout.js";
import { CircuitsError } from "./errors.js";
import type { PoseidonHasher } from "./poseidon-hasher.js";
import { claimsSlot, detailsLeaf, type CommittedReading } from "./reading-commitment.js";
import { Sha256MerkleTree, digestToField } from "./sha256-tree.js";
import {
  checkBounds,
  streamKeyString,
  streamsHash,
  unboundedStreams,
  type BoundsResolver,
  type StreamBounds,
} from "./stream-table.js";

export interface BatchCommitmentInput {
  /** The gateway's secp256k1 address. */
  gatewayId: string;
  /** 1 to BATCH_CAPACITY readings, in the batch's order. */
  readings: readonly CommittedReading[];
  /** Configured bounds per stream; streams without configuration are unbounded (int32). */
  bounds?: BoundsResolver;
}

/** Everything a reading's receipt needs to lead from the reading to its batch root. */
export interface ReadingInclusion {
  index: number;
  /** The batch's claims words (their Poseidon hash is the claims root). */
  words: bigint[];
  /** The batch's stream table and the reading's index in it. */
  streams: StreamBounds[];
  streamIndex: number;
  /** SHA-256 siblings from the reading's details leaf to the details root. */
  detailsPath: Buffer[];
  header: BatchHeader;
}

/** The batch root's other inputs: the public claims and the details root. */
export interface BatchHeader {
  detailsRoot: bigint;
  streamsHash: bigint;
  gatewayId: bigint;
  windowStartSec: number;
  windowEndSec: number;
  readingCount: number;
  anomalyCount: number;
}

/**
 * A batch's commitment:
 *
 *   batchRoot = Poseidon(claimsRoot, detailsRoot, streamsHash, gatewayId, windowStartSec,
 *                        windowEndSec, readingCount, anomalyCount)
 *   claimsRoot = Poseidon(Poseidon(word_0 .. word_15), Poseidon(word_16 .. word_23)), each word
 *                packing six readings' claims slots
 *   detailsRoot = SHA-256 Merkle root of the readings' details leaves
 *
 * The circuit recomputes batchRoot from the words and proves the claims; the other fields of
 * each reading are committed by detailsRoot, hashed outside the circuit.
 */
export class BatchCommitment {
  readonly root: bigint;
  readonly claimsRoot: bigint;
  readonly header: BatchHeader;
  readonly words: readonly bigint[];
  readonly streams: readonly StreamBounds[];
  private readonly streamIndexes: readonly number[];
  private readonly detailsTree: Sha256MerkleTree;

  private constructor(fields: {
    root: bigint;
    claimsRoot: bigint;
    header: BatchHeader;
    words: bigint[];
    streams: StreamBounds[];
    streamIndexes: number[];
    detailsTree: Sha256MerkleTree;
  }) {
    this.root = fields.root;
    this.claimsRoot = fields.claimsRoot;
    this.header = fields.header;
    this.words = fields.words;
    this.streams = fields.streams;
    this.streamIndexes = fields.streamIndexes;
    this.detailsTree = fields.detailsTree;
  }

  static build(hasher: PoseidonHasher, input: BatchCommitmentInput): BatchCommitment {
    const { readings } = input;
    if (readings.length < 1 || readings.length > BATCH_CAPACITY) {
      throw new CircuitsError(`a batch holds 1 to ${BATCH_CAPACITY} readings, got ${readings.length}`);
    }
    if (!isAddress(input.gatewayId)) throw new CircuitsError("gateway id is not an address", { gatewayId: input.gatewayId });
    const resolve = input.bounds ?? unboundedStreams;

    const windowStartSec = receiveSecond(Math.min(...readings.map((reading) => reading.receivedAtMs)));
    const windowEndSec = receiveSecond(Math.max(...readings.map((reading) => reading.receivedAtMs)));
    if (windowEndSec - windowStartSec > MAX_WINDOW_SPAN_SEC) {
      throw new CircuitsError(
        `readings arrived over ${windowEndSec - windowStartSec} s; a batch spans at most ${MAX_WINDOW_SPAN_SEC}`,
        {
          windowStartSec,
          windowEndSec,
        },
      );
    }

    const streams: StreamBounds[] = [];
    const byKey = new Map<string, number>();
    const streamIndexes = readings.map((reading) => {
      const key = {
        deviceId: reading.deviceId,
        channel: reading.channel,
        channelIndex: reading.channelIndex,
        scale: reading.scale,
      };
      const keyString = streamKeyString(key);
      let index = byKey.get(keyString);
      if (index === undefined) {
        const stream = { ...key, ...resolve(key) };
        checkBounds(stream);
        index = streams.push(stream) - 1;
        byKey.set(keyString, index);
      }
      return index;
    });

    const words = new Array<bigint>(WORDS_PER_BATCH).fill(0n);
    let anomalyCount = 0;
    readings.forEach((reading, i) => {
      const stream = streams[streamIndexes[i] as number] as StreamBounds;
      let slot: bigint;
      try {
        slot = claimsSlot(reading, { min: stream.min, max: stream.max, windowStartSec, windowEndSec });
      } catch (cause) {
        throw new CircuitsError(
          `reading ${reading.gatewaySeq} has value ${reading.value}, outside ${stream.min}..${stream.max} of its stream`,
          { gatewaySeq: reading.gatewaySeq, stream },
          { cause },
        );
      }
      if (reading.anomalous === true) anomalyCount++;
      const word = Math.floor(i / SLOTS_PER_WORD);
      words[word] = (words[word] as bigint) | (slot << BigInt(SLOT_BITS * (i % SLOTS_PER_WORD)));
    });

    const detailsTree = new Sha256MerkleTree(readings.map((reading, i) => detailsLeaf(reading, streamIndexes[i] as number)));
    const header: BatchHeader = {
      detailsRoot: digestToField(detailsTree.root),
      streamsHash: streamsHash(streams),
      gatewayId: BigInt(getAddress(input.gatewayId)),
      windowStartSec,
      windowEndSec,
      readingCount: readings.length,
      anomalyCount,
    };
    const claimsRoot = claimsRootOf(hasher, words);
    return new BatchCommitment({
      root: batchRootOf(hasher, claimsRoot, header),
      claimsRoot,
      header,
      words,
      streams,
      streamIndexes,
      detailsTree,
    });
  }

  /** What a receipt for reading `index` carries to prove it belongs to this batch. */
  inclusion(index: number): ReadingInclusion {
    if (!Number.isInteger(index) || index < 0 || index >= this.header.readingCount) {
      throw new CircuitsError(`reading index ${index} outside 0..${this.header.readingCount - 1}`);
    }
    const streamIndex = this.streamIndexes[index] as number;
    return {
      index,
      words: [...this.words],
      streams: [...this.streams],
      streamIndex,
      detailsPath: this.detailsTree.path(index),
      header: this.header,
    };
  }
}

export function batchRootOf(hasher: PoseidonHasher, claimsRoot: bigint, header: BatchHeader): bigint {
  return hasher.hash([
    claimsRoot,
    header.detailsRoot,
    header.streamsHash,
    header.gatewayId,
    BigInt(header.windowStartSec),
    BigInt(header.windowEndSec),
    BigInt(header.readingCount),
    BigInt(header.anomalyCount),
  ]);
}

/** Poseidon over the words in chunks of 16, then over the chunks' hashes when there are several. */
export function claimsRootOf(hasher: PoseidonHasher, words: readonly bigint[]): bigint {
  const chunks: bigint[] = [];
  for (let i = 0; i < words.length; i += 16) chunks.push(hasher.hash(words.slice(i, i + 16)));
  return chunks.length === 1 ? (chunks[0] as bigint) : hasher.hash(chunks);
}

/**
 * How many of `readings`, from the first, fit one batch: at most BATCH_CAPACITY, received within
 * MAX_WINDOW_SPAN_SEC whole seconds of each other. A sealer closes a batch there.
 */
export function batchablePrefix(readings: readonly Pick<CommittedReading, "receivedAtMs">[]): number {
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (const reading of readings.slice(0, BATCH_CAPACITY)) {
    min = Math.min(min, receiveSecond(reading.receivedAtMs));
    max = Math.max(max, receiveSecond(reading.receivedAtMs));
    if (max - min > MAX_WINDOW_SPAN_SEC) break;
    count++;
  }
  return count;
}
