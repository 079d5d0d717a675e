import { batchRootOf, claimsRootOf, codeBitsAt, type ReadingInclusion } from "./batch-commitment.js";
import { CODE_BITS, HEADERS_PER_WORD, WORDS_PER_BATCH } from "./batch-layout.js";
import { CircuitsError } from "./errors.js";
import type { PoseidonHasher } from "./poseidon-hasher.js";
import { detailsLeaf, readingCodes, readingHeader, type CommittedReading } from "./reading-commitment.js";
import { digestToField, sha256RootFromPath } from "./sha256-tree.js";
import { streamKeyString, streamsHash } from "./stream-table.js";

/**
 * Checks that `reading` is reading `inclusion.index` of the batch whose root is `batchRoot`;
 * throws a CircuitsError naming the first thing that does not match.
 */
export function verifyReadingInclusion(
  hasher: PoseidonHasher,
  reading: CommittedReading,
  inclusion: ReadingInclusion,
  batchRoot: bigint,
): void {
  const { header, streams, streamIndex, index, words, codeOffset } = inclusion;
  if (words.length !== WORDS_PER_BATCH) throw new CircuitsError(`a batch has ${WORDS_PER_BATCH} claims words`);
  if (streamsHash(streams) !== header.streamsHash)
    throw new CircuitsError("stream table does not match the batch's streams hash");
  const stream = streams[streamIndex];
  const key = { deviceId: reading.deviceId, channel: reading.channel, channelIndex: reading.channelIndex, scale: reading.scale };
  if (stream === undefined || streamKeyString(stream) !== streamKeyString(key)) {
    throw new CircuitsError("reading does not belong to the stream its receipt names", { streamIndex });
  }
  let codes: ReturnType<typeof readingCodes>;
  try {
    codes = readingCodes(reading, {
      min: stream.min,
      max: stream.max,
      windowStartSec: header.windowStartSec,
      windowEndSec: header.windowEndSec,
    });
  } catch (cause) {
    throw new CircuitsError("reading's value or receive time lies outside what its batch committed to", {}, { cause });
  }
  const width = codes.time.width + codes.value.width;
  const headerBits = (words[Math.floor(index / HEADERS_PER_WORD)] ?? 0n) >> BigInt(2 * (index % HEADERS_PER_WORD));
  if (
    !Number.isInteger(index) ||
    index < 0 ||
    index >= header.readingCount ||
    (headerBits & 3n) !== readingHeader(reading) ||
    !Number.isInteger(codeOffset) ||
    codeOffset < 0 ||
    codeOffset + width > CODE_BITS ||
    codeBitsAt(words, codeOffset, width) !== (codes.time.code | (codes.value.code << BigInt(codes.time.width)))
  ) {
    throw new CircuitsError("reading's value, receive time or anomaly flag differs from its batch's claims");
  }
  const details = digestToField(sha256RootFromPath(detailsLeaf(reading, streamIndex, codeOffset), index, inclusion.detailsPath));
  if (details !== header.detailsRoot)
    throw new CircuitsError("reading's details or path do not lead to the batch's details root");
  if (batchRootOf(hasher, claimsRootOf(hasher, words), header) !== batchRoot) {
    throw new CircuitsError("receipt does not lead to the batch root");
  }
}
