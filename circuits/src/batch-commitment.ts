import { getAddress, isAddress } from "ethers";
import {
  BATCH_CAPACITY,
  CODE_BITS,
  CODE_WORD_BITS,
  CODE_WORDS,
  HEADER_WORDS,
  HEADERS_PER_WORD,
  MAX_WINDOW_SPAN_SEC,
  receiveSecond,
} from "./batch-layout.js";
import { CommitmentSalts } from "./commitment-salts.js";
import { CircuitsError } from "./errors.js";
import type { PoseidonHasher } from "./poseidon-hasher.js";
import { BitPacker } from "./bit-packer.js";
import { RangeCode } from "./range-code.js";
import { detailsLeaf, readingHeader, type CommittedReading } from "./reading-commitment.js";
import { Sha256MerkleTree, digestToField } from "./sha256-tree.js";
import {
  checkBounds,
  streamLeaf,
  streamsHash,
  unboundedStreams,
  type BoundsResolver,
  type StreamBounds,
  type StreamKey,
} from "./stream-table.js";

export interface BatchCommitmentInput {
  /** The gateway's secp256k1 address. */
  gatewayId: string;
  /** 1 to BATCH_CAPACITY readings, in the batch's order, whose codes fit CODE_BITS (see batchablePrefix). */
  readings: readonly CommittedReading[];
  /** Configured bounds per stream; streams without configuration are unbounded (int32). */
  bounds?: BoundsResolver;
  /**
   * The batch's secret salt seed (SALT_SEED_BYTES): with it the batch is committed with layout 2,
   * its details leaves salted and its unused code bits filled from it; without, layout 1
   * (batches sealed before salts existed).
   */
  saltSeed?: Uint8Array | undefined;
}

/**
 * What leads from a reading to its batch root. A receipt carries all of it but the words: the
 * relay proves the reading's claims bits against `claimsRoot` instead (reading-disclosure.ts).
 */
export interface ReadingInclusion {
  index: number;
  /** Poseidon of the batch's claims words. */
  claimsRoot: bigint;
  /** The batch's claims words: known to the batch's sealer and relay, and in receipts made before disclosure proofs. */
  words?: bigint[] | undefined;
  /** The reading's details salt, in a batch committed with layout 2. */
  salt?: Uint8Array | undefined;
  /** The reading's stream and its index in the batch's stream table. */
  stream: StreamBounds;
  streamIndex: number;
  /** Layout 1: the whole stream table, whose hash is the streams hash. */
  streams?: StreamBounds[] | undefined;
  /** Layout 2: the stream's salt and the SHA-256 siblings from its leaf to the stream tree's root, the streams hash. */
  streamSalt?: Uint8Array | undefined;
  streamPath?: Uint8Array[] | undefined;
  /** Where the reading's codes start in the code bits. */
  codeOffset: number;
  /** SHA-256 siblings from the reading's details leaf to the details root. */
  detailsPath: Uint8Array[];
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

/** Gateway ids already checked, as field elements: a gateway's batches all carry the same one, and checking a checksum costs a Keccak. */
const gatewayIdFields = new Map<string, bigint>();
const GATEWAY_IDS_REMEMBERED = 4_096;

function gatewayIdField(gatewayId: string): bigint {
  const known = gatewayIdFields.get(gatewayId);
  if (known !== undefined) return known;
  if (!isAddress(gatewayId)) throw new CircuitsError("gateway id is not an address", { gatewayId });
  const field = BigInt(getAddress(gatewayId));
  if (gatewayIdFields.size >= GATEWAY_IDS_REMEMBERED) gatewayIdFields.clear();
  gatewayIdFields.set(gatewayId, field);
  return field;
}

/**
 * A batch's commitment:
 *
 *   batchRoot   = Poseidon(claimsRoot, detailsRoot, streamsHash, gatewayId, windowStartSec,
 *                          windowEndSec, readingCount, anomalyCount)
 *   claimsRoot  = Poseidon(Poseidon(word_0 .. word_15), Poseidon(word_16 .. word_23))
 *   word_0..2   = the readings' two-bit headers (present, anomalous), 124 to a word
 *   word_3..23  = the code bits, 252 to a word: each reading's receive-time code, then its
 *                 value code, one reading after the other, each as wide as its range needs
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
  /** Code bits the readings use, of CODE_BITS. */
  readonly codeBitsUsed: number;
  private readonly streamIndexes: readonly number[];
  private readonly codeOffsets: readonly number[];
  private readonly detailsTree: Sha256MerkleTree;
  private readonly streamTree: Sha256MerkleTree | undefined;
  private readonly salts: CommitmentSalts | undefined;

  private constructor(fields: {
    root: bigint;
    claimsRoot: bigint;
    header: BatchHeader;
    words: bigint[];
    streams: StreamBounds[];
    codeBitsUsed: number;
    streamIndexes: number[];
    codeOffsets: number[];
    detailsTree: Sha256MerkleTree;
    streamTree: Sha256MerkleTree | undefined;
    salts: CommitmentSalts | undefined;
  }) {
    this.root = fields.root;
    this.claimsRoot = fields.claimsRoot;
    this.header = fields.header;
    this.words = fields.words;
    this.streams = fields.streams;
    this.codeBitsUsed = fields.codeBitsUsed;
    this.streamIndexes = fields.streamIndexes;
    this.codeOffsets = fields.codeOffsets;
    this.detailsTree = fields.detailsTree;
    this.streamTree = fields.streamTree;
    this.salts = fields.salts;
  }

  static build(hasher: PoseidonHasher, input: BatchCommitmentInput): BatchCommitment {
    const { readings } = input;
    if (readings.length < 1 || readings.length > BATCH_CAPACITY) {
      throw new CircuitsError(`a batch holds 1 to ${BATCH_CAPACITY} readings, got ${readings.length}`);
    }
    const gatewayId = gatewayIdField(input.gatewayId);

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

    const salts = input.saltSeed === undefined ? undefined : new CommitmentSalts(input.saltSeed);
    const table = new StreamTable(input.bounds ?? unboundedStreams);
    const timeCode = new RangeCode(windowEndSec - windowStartSec);
    const headers = new BitPacker(2 * HEADERS_PER_WORD * HEADER_WORDS);
    const codes = new BitPacker(CODE_BITS);
    const streamIndexes = new Array<number>(readings.length);
    const codeOffsets = new Array<number>(readings.length);
    const detailsLeaves = new Array<Uint8Array>(readings.length);
    let codeBitsUsed = 0;
    let anomalyCount = 0;
    readings.forEach((reading, i) => {
      const streamIndex = table.indexOf(reading);
      const { bounds, valueCode } = table.entries[streamIndex] as StreamEntry;
      let value;
      try {
        value = valueCode.encode(reading.value - bounds.min);
      } catch (cause) {
        throw new CircuitsError(
          `reading ${reading.gatewaySeq} has value ${reading.value}, outside ${bounds.min}..${bounds.max} of its stream`,
          { gatewaySeq: reading.gatewaySeq, stream: bounds },
          { cause },
        );
      }
      if (reading.anomalous === true) anomalyCount++;
      headers.write(Number(readingHeader(reading)), 2, 2 * i);
      codes.write(timeCode.encode(receiveSecond(reading.receivedAtMs) - windowStartSec), timeCode.width, codeBitsUsed);
      codes.write(value, valueCode.width, codeBitsUsed + timeCode.width);
      streamIndexes[i] = streamIndex;
      codeOffsets[i] = codeBitsUsed;
      detailsLeaves[i] = detailsLeaf(reading, streamIndex, codeBitsUsed, salts?.details(i));
      codeBitsUsed += timeCode.width + valueCode.width;
    });
    if (codeBitsUsed > CODE_BITS) {
      throw new CircuitsError(`the readings' codes take ${codeBitsUsed} bits; a batch has ${CODE_BITS}`, { codeBitsUsed });
    }

    const codeWords = codes.words(CODE_WORD_BITS, CODE_WORDS);
    if (salts) {
      // Unguessable bits where no reading's codes are, so that no one can find the other
      // readings' codes by hashing likely words until one gives the claims root.
      const padding = salts.padding(CODE_BITS - codeBitsUsed) << BigInt(codeBitsUsed);
      const mask = (1n << BigInt(CODE_WORD_BITS)) - 1n;
      codeWords.forEach((word, i) => (codeWords[i] = word | ((padding >> BigInt(i * CODE_WORD_BITS)) & mask)));
    }
    const words = [...headers.words(2 * HEADERS_PER_WORD, HEADER_WORDS), ...codeWords];
    const detailsTree = new Sha256MerkleTree(detailsLeaves);
    // Layout 2 commits to the streams by a tree of salted leaves, so a receipt shows its own stream only.
    const streamTree = salts && new Sha256MerkleTree(table.streams.map((stream, i) => streamLeaf(stream, salts.stream(i))));
    const header: BatchHeader = {
      detailsRoot: digestToField(detailsTree.root),
      streamsHash: streamTree ? digestToField(streamTree.root) : streamsHash(table.streams),
      gatewayId,
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
      streams: table.streams,
      codeBitsUsed,
      streamIndexes,
      codeOffsets,
      detailsTree,
      streamTree,
      salts,
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
      claimsRoot: this.claimsRoot,
      words: [...this.words],
      salt: this.salts?.details(index),
      stream: { ...(this.streams[streamIndex] as StreamBounds) },
      streamIndex,
      ...(this.streamTree
        ? { streamSalt: this.salts?.stream(streamIndex), streamPath: this.streamTree.path(streamIndex) }
        : { streams: [...this.streams] }),
      codeOffset: this.codeOffsets[index] as number,
      detailsPath: this.detailsTree.path(index),
      header: this.header,
    };
  }
}

/** A stream of a batch: its bounds, and the range code of its values. */
interface StreamEntry {
  bounds: StreamBounds;
  valueCode: RangeCode;
}

/** A batch's streams in order of first appearance, with their bounds resolved once each. */
class StreamTable {
  readonly streams: StreamBounds[] = [];
  readonly entries: StreamEntry[] = [];
  /** Each device's streams' indexes, found by comparing fields: a key string per reading would be garbage per reading. */
  private readonly byDevice = new Map<string, number[]>();

  constructor(private readonly resolve: BoundsResolver) {}

  indexOf(reading: StreamKey): number {
    let indexes = this.byDevice.get(reading.deviceId);
    if (indexes === undefined) {
      indexes = [];
      this.byDevice.set(reading.deviceId, indexes);
    }
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i] as number;
      const stream = this.streams[index] as StreamBounds;
      if (stream.channel === reading.channel && stream.channelIndex === reading.channelIndex && stream.scale === reading.scale) {
        return index;
      }
    }
    const key = {
      deviceId: reading.deviceId,
      channel: reading.channel,
      channelIndex: reading.channelIndex,
      scale: reading.scale,
    };
    const { min, max } = this.resolve(key);
    const stream = { ...key, min, max };
    checkBounds(stream);
    const index = this.streams.push(stream) - 1;
    this.entries.push({ bounds: stream, valueCode: new RangeCode(stream.max - stream.min) });
    indexes.push(index);
    return index;
  }
}

/** The `width` code bits at `offset`, read across the code words. */
export function codeBitsAt(words: readonly bigint[], offset: number, width: number): bigint {
  const codes = words.slice(HEADER_WORDS).reduce((all, word, i) => all | (word << BigInt(i * CODE_WORD_BITS)), 0n);
  return (codes >> BigInt(offset)) & ((1n << BigInt(width)) - 1n);
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
 * MAX_WINDOW_SPAN_SEC whole seconds of each other, their codes within CODE_BITS. A sealer closes
 * a batch there. `bounds` must be those the batch will be committed with.
 */
export function batchablePrefix(readings: readonly CommittedReading[], bounds: BoundsResolver = unboundedStreams): number {
  const table = new StreamTable(bounds);
  let minSec = Infinity;
  let maxSec = -Infinity;
  let valueBits = 0;
  let count = 0;
  for (const reading of readings.slice(0, BATCH_CAPACITY)) {
    minSec = Math.min(minSec, receiveSecond(reading.receivedAtMs));
    maxSec = Math.max(maxSec, receiveSecond(reading.receivedAtMs));
    if (maxSec - minSec > MAX_WINDOW_SPAN_SEC) break;
    valueBits += (table.entries[table.indexOf(reading)] as StreamEntry).valueCode.width;
    if ((count + 1) * new RangeCode(maxSec - minSec).width + valueBits > CODE_BITS) break;
    count++;
  }
  return count;
}
