import { batchRootOf, claimsRootOf, codeBitsAt, type ReadingInclusion } from "./batch-commitment.js";
import { CODE_BITS, DISCLOSURE_PUBLIC_SIGNALS, HEADERS_PER_WORD, WORDS_PER_BATCH } from "./batch-layout.js";
import { CircuitsError } from "./errors.js";
import type { PoseidonHasher } from "./poseidon-hasher.js";
import { detailsLeaf, readingCodes, readingHeader, type CommittedReading } from "./reading-commitment.js";
import { digestToField, sha256RootFromPath } from "./sha256-tree.js";
import { streamKeyString, streamLeaf, streamsHash } from "./stream-table.js";

/**
 * What a reading's claims bits must be in its batch's claims words, for the claims root its
 * receipt names: the public signals of its disclosure proof (DISCLOSURE_PUBLIC_SIGNALS order).
 */
export interface DisclosedClaims {
  claimsRoot: bigint;
  index: number;
  /** The reading's two-bit header: 1 | anomalous << 1. */
  header: bigint;
  codeOffset: number;
  /** Bits of the reading's time code and value code together. */
  width: number;
  /** Its time code, then its value code above it. */
  code: bigint;
}

/** The disclosure proof's public signals for `claims`, as decimal strings in the circuit's order. */
export function disclosureSignals(claims: DisclosedClaims): string[] {
  return DISCLOSURE_PUBLIC_SIGNALS.map((name) => claims[name].toString());
}

/**
 * Checks that `reading` is reading `inclusion.index` of the batch whose root is `batchRoot`, as
 * far as it can without the claims words: its stream, its details leaf and path, and that the
 * claims root and header lead to the batch root; throws a CircuitsError naming the first thing
 * that does not match. Returns the claims the reading's bits in the words must hold, which a
 * disclosure proof proves; when the inclusion carries the words (receipts made before disclosure
 * proofs), it checks them against the words itself.
 */
export function verifyReadingInclusion(
  hasher: PoseidonHasher,
  reading: CommittedReading,
  inclusion: ReadingInclusion,
  batchRoot: bigint,
): DisclosedClaims {
  const { header, stream, streamIndex, index, codeOffset, claimsRoot } = inclusion;
  checkStream(inclusion);
  const key = { deviceId: reading.deviceId, channel: reading.channel, channelIndex: reading.channelIndex, scale: reading.scale };
  if (streamKeyString(stream) !== streamKeyString(key)) {
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
  const claims: DisclosedClaims = {
    claimsRoot,
    index,
    header: readingHeader(reading),
    codeOffset,
    width: codes.time.width + codes.value.width,
    code: codes.time.code | (codes.value.code << BigInt(codes.time.width)),
  };
  if (
    !Number.isInteger(index) ||
    index < 0 ||
    index >= header.readingCount ||
    !Number.isInteger(codeOffset) ||
    codeOffset < 0 ||
    codeOffset + claims.width > CODE_BITS
  ) {
    throw new CircuitsError("reading's slot or code offset lies outside its batch");
  }
  if (inclusion.words !== undefined) checkWords(hasher, inclusion.words, claims);
  const leaf = detailsLeaf(reading, streamIndex, codeOffset, inclusion.salt);
  if (digestToField(sha256RootFromPath(leaf, index, inclusion.detailsPath)) !== header.detailsRoot)
    throw new CircuitsError("reading's details or path do not lead to the batch's details root");
  if (batchRootOf(hasher, claimsRoot, header) !== batchRoot) {
    throw new CircuitsError("receipt does not lead to the batch root");
  }
  return claims;
}

/**
 * The reading's stream is the one at `streamIndex` under the streams hash: by its salted leaf and
 * path (layout 2), or in the whole table (layout 1).
 */
function checkStream(inclusion: ReadingInclusion): void {
  const { stream, streamIndex, streams, streamSalt, streamPath, header } = inclusion;
  if (streamSalt !== undefined && streamPath !== undefined) {
    if (digestToField(sha256RootFromPath(streamLeaf(stream, streamSalt), streamIndex, streamPath)) !== header.streamsHash)
      throw new CircuitsError("reading's stream or its path do not lead to the batch's streams hash");
    return;
  }
  if (streams === undefined || streamsHash(streams) !== header.streamsHash)
    throw new CircuitsError("stream table does not match the batch's streams hash");
  const listed = streams[streamIndex];
  if (
    listed === undefined ||
    streamKeyString(listed) !== streamKeyString(stream) ||
    listed.min !== stream.min ||
    listed.max !== stream.max
  )
    throw new CircuitsError("the stream table holds another stream at the reading's stream index", { streamIndex });
}

/** The words hash to the claims root and hold the reading's header and codes where it says. */
function checkWords(hasher: PoseidonHasher, words: readonly bigint[], claims: DisclosedClaims): void {
  if (words.length !== WORDS_PER_BATCH) throw new CircuitsError(`a batch has ${WORDS_PER_BATCH} claims words`);
  if (claimsRootOf(hasher, words) !== claims.claimsRoot) throw new CircuitsError("claims words do not hash to the claims root");
  const { index } = claims;
  const headerBits = (words[Math.floor(index / HEADERS_PER_WORD)] ?? 0n) >> BigInt(2 * (index % HEADERS_PER_WORD));
  if ((headerBits & 3n) !== claims.header || codeBitsAt(words, claims.codeOffset, claims.width) !== claims.code) {
    throw new CircuitsError("reading's value, receive time or anomaly flag differs from its batch's claims");
  }
}
