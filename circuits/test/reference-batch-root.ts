// The batch root computed the plain way, straight from the definition in batch-commitment.ts:
// one bigint grown reading by reading, a Hash object per SHA-256 leaf and node, the range code
// functions per reading. Tests check the optimised BatchCommitment against it; the root bench
// measures both in the same run.
import { createHash } from "node:crypto";
import { getAddress } from "ethers";
import {
  CODE_WORD_BITS,
  CODE_WORDS,
  HEADER_WORDS,
  HEADERS_PER_WORD,
  receiveSecond,
  unboundedStreams,
  deviceIdToField,
  batchRootOf,
  claimsRootOf,
  streamKeyString,
  encodeRange,
  rangeCodeWidth,
  type BoundsResolver,
  type CommittedReading,
  type PoseidonHasher,
  type StreamBounds,
} from "../src/index.js";

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function digestToField(digest: Buffer): bigint {
  const copy = Buffer.from(digest);
  copy[0] = (copy[0] ?? 0) & 0x1f;
  return BigInt(`0x${copy.toString("hex")}`);
}

function merkleRoot(leaves: Buffer[]): Buffer {
  let level = [...leaves];
  while (level.length < 2 ** Math.ceil(Math.log2(level.length))) level.push(Buffer.alloc(32));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256(Buffer.from([1]), level[i] as Buffer, level[i + 1] as Buffer));
    level = next;
  }
  return level[0] as Buffer;
}

function detailsLeaf(reading: CommittedReading, streamIndex: number, codeOffset: number): Buffer {
  const bytes = Buffer.alloc(53);
  bytes.writeBigUInt64BE(BigInt(reading.gatewaySeq), 0);
  bytes.writeBigUInt64BE(BigInt(reading.frameCounter), 8);
  bytes.writeBigUInt64BE(BigInt(reading.sampledAtMs), 16);
  bytes.writeBigUInt64BE(BigInt(reading.receivedAtMs), 24);
  bytes.writeBigUInt64BE(BigInt(reading.receivedUptimeMs ?? 0), 32);
  bytes.writeUInt32BE(reading.receivedBoot ?? 0, 40);
  bytes.writeUInt32BE(streamIndex, 44);
  bytes.writeUInt32BE(codeOffset, 48);
  bytes.writeUInt8(reading.timeUncertain === true ? 1 : 0, 52);
  return sha256(Buffer.from([0]), bytes);
}

function streamsHash(streams: readonly StreamBounds[]): bigint {
  const parts = [Buffer.from([2]), Buffer.alloc(4)];
  (parts[1] as Buffer).writeUInt32BE(streams.length);
  for (const stream of streams) {
    const entry = Buffer.alloc(60);
    Buffer.from(deviceIdToField(stream.deviceId).toString(16).padStart(64, "0"), "hex").copy(entry, 0);
    entry.writeUInt32BE(stream.channel, 32);
    entry.writeUInt32BE(stream.channelIndex, 36);
    entry.writeUInt32BE(stream.scale, 40);
    entry.writeBigInt64BE(BigInt(stream.min), 44);
    entry.writeBigInt64BE(BigInt(stream.max), 52);
    parts.push(entry);
  }
  return digestToField(sha256(...parts));
}

function splitBits(bits: bigint, width: number, count: number): bigint[] {
  const mask = (1n << BigInt(width)) - 1n;
  return Array.from({ length: count }, (_, i) => (bits >> BigInt(i * width)) & mask);
}

/** The root of a batch of `readings` (which must fit one batch), computed the plain way. */
export function referenceBatchRoot(
  hasher: PoseidonHasher,
  gatewayId: string,
  readings: readonly CommittedReading[],
  bounds: BoundsResolver = unboundedStreams,
): bigint {
  const windowStartSec = receiveSecond(Math.min(...readings.map((reading) => reading.receivedAtMs)));
  const windowEndSec = receiveSecond(Math.max(...readings.map((reading) => reading.receivedAtMs)));
  const timeSpan = BigInt(windowEndSec - windowStartSec);
  const streams: StreamBounds[] = [];
  const streamIndexes = new Map<string, number>();
  const leaves: Buffer[] = [];
  let headers = 0n;
  let codes = 0n;
  let offset = 0;
  let anomalyCount = 0;
  readings.forEach((reading, i) => {
    const key = {
      deviceId: reading.deviceId,
      channel: reading.channel,
      channelIndex: reading.channelIndex,
      scale: reading.scale,
    };
    let streamIndex = streamIndexes.get(streamKeyString(key));
    if (streamIndex === undefined) {
      streamIndex = streams.push({ ...key, ...bounds(key) }) - 1;
      streamIndexes.set(streamKeyString(key), streamIndex);
    }
    const stream = streams[streamIndex] as StreamBounds;
    const valueSpan = BigInt(stream.max) - BigInt(stream.min);
    const time = encodeRange(BigInt(receiveSecond(reading.receivedAtMs) - windowStartSec), timeSpan);
    const value = encodeRange(BigInt(reading.value) - BigInt(stream.min), valueSpan);
    headers |= (reading.anomalous === true ? 3n : 1n) << BigInt(2 * i);
    if (reading.anomalous === true) anomalyCount++;
    codes |= (time | (value << BigInt(rangeCodeWidth(timeSpan)))) << BigInt(offset);
    leaves.push(detailsLeaf(reading, streamIndex, offset));
    offset += rangeCodeWidth(timeSpan) + rangeCodeWidth(valueSpan);
  });
  const words = [...splitBits(headers, 2 * HEADERS_PER_WORD, HEADER_WORDS), ...splitBits(codes, CODE_WORD_BITS, CODE_WORDS)];
  return batchRootOf(hasher, claimsRootOf(hasher, words), {
    detailsRoot: digestToField(merkleRoot(leaves)),
    streamsHash: streamsHash(streams),
    gatewayId: BigInt(getAddress(gatewayId)),
    windowStartSec,
    windowEndSec,
    readingCount: readings.length,
    anomalyCount,
  });
}
