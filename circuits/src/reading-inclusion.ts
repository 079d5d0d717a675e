import { batchRootOf, claimsRootOf, type ReadingInclusion } from "./batch-commitment.js";
import { SLOT_BITS, SLOTS_PER_WORD, WORDS_PER_BATCH } from "./batch-layout.js";
import { CircuitsError } from "./errors.js";
import type { PoseidonHasher } from "./poseidon-hasher.js";
import { claimsSlot, detailsLeaf, type CommittedReading } from "./reading-commitment.js";
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
  const { header, streams, streamIndex, index, words } = inclusion;
  if (streamsHash(streams) !== header.streamsHash)
    throw new CircuitsError("stream table does not match the batch's streams hash");
  const stream = streams[streamIndex];
  const key = { deviceId: reading.deviceId, channel: reading.channel, channelIndex: reading.channelIndex, scale: reading.scale };
  if (stream === undefined || streamKeyString(stream) !== streamKeyString(key)) {
    throw new CircuitsError("reading does not belong to the stream its receipt names", { streamIndex });
  }
  let slot: bigint;
  try {
    slot = claimsSlot(reading, {
      min: stream.min,
      max: stream.max,
      windowStartSec: header.windowStartSec,
      windowEndSec: header.windowEndSec,
    });
  } catch (cause) {
    throw new CircuitsError("reading's value or receive time lies outside what its batch committed to", {}, { cause });
  }
  const word = words[Math.floor(index / SLOTS_PER_WORD)] ?? -1n;
  const committed = (word >> BigInt(SLOT_BITS * (index % SLOTS_PER_WORD))) & ((1n << BigInt(SLOT_BITS)) - 1n);
  if (committed !== slot)
    throw new CircuitsError("reading's value, receive time or anomaly flag differs from its batch's claims");
  const details = digestToField(sha256RootFromPath(detailsLeaf(reading, streamIndex), index, inclusion.detailsPath));
  if (details !== header.detailsRoot)
    throw new CircuitsError("reading's details or path do not lead to the batch's details root");
  if (words.length !== WORDS_PER_BATCH || batchRootOf(hasher, claimsRootOf(hasher, words), header) !== batchRoot) {
    throw new CircuitsError("receipt does not lead to the batch root");
  }
}
